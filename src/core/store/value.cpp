// Column reads and parameter binds for the core's Value.
#include "core/store/value.h"

namespace offline_sync::store {

Value readValue(const Statement& statement, int column) {
  switch (statement.columnType(column)) {
    case ColumnType::integer: return statement.columnInt64(column);
    case ColumnType::real: return statement.columnDouble(column);
    case ColumnType::text: return std::string(statement.columnText(column));
    case ColumnType::blob: {
      const auto bytes = statement.columnBlob(column);
      return Blob(bytes.begin(), bytes.end());
    }
    case ColumnType::null: return std::monostate{};
  }
  return std::monostate{};
}

void bindValue(Statement& statement, int index, const Value& value) {
  struct Binder {
    Statement& statement;
    int index;
    void operator()(std::monostate) const { statement.bindNull(index); }
    void operator()(std::int64_t v) const { statement.bindInt64(index, v); }
    void operator()(double v) const { statement.bindDouble(index, v); }
    void operator()(const std::string& v) const { statement.bindText(index, v); }
    void operator()(const Blob& v) const { statement.bindBlob(index, v); }
  };
  std::visit(Binder{statement, index}, value);
}

}  // namespace offline_sync::store
