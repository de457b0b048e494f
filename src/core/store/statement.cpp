// Thin, checked wrapper over sqlite3_stmt; errors become the core's Error with SQLite's code names.
#include "core/store/statement.h"

#include <sqlite3.h>

#include <climits>

#include "core/error.h"
#include "core/store/sqlite_error.h"

namespace offline_sync::store {
namespace {

[[noreturn]] void throwClosed() {
  throw Error(ErrorCategory::state, codes::closed, "The database connection is closed");
}

}  // namespace

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }

Statement::Statement(sqlite3* db, std::string_view sql, bool persistent) : db_(db), sql_(sql) {
  if (db == nullptr) throwClosed();
  if (sql.size() > INT_MAX) throwInvalidArgument("SQL text is too long");
  // SQLite stops at a NUL: the rest would be silently dropped (a WHERE clause, say).
  if (sql.find('\0') != std::string_view::npos) throwInvalidArgument("The SQL text contains a NUL character");
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0;
  const int rc = sqlite3_prepare_v3(db, sql_.data(), static_cast<int>(sql_.size()), flags, &raw, &tail);
  stmt_.reset(raw);
  checkSqlite(db, rc);
  if (!stmt_) throwInvalidArgument("The SQL text contains no statement");
  // What follows the first statement may only be whitespace or comments, which compile to no statement.
  if (tail != nullptr && *tail != '\0') {
    sqlite3_stmt* next = nullptr;
    const int rest = static_cast<int>(sql_.data() + sql_.size() - tail);
    const int nextRc = sqlite3_prepare_v2(db, tail, rest, &next, nullptr);
    const bool more = nextRc != SQLITE_OK || next != nullptr;
    sqlite3_finalize(next);
    if (more) throwInvalidArgument("The SQL text contains more than one statement; use exec() for scripts");
  }
}

Statement::~Statement() = default;

bool Statement::readonly() const {
  if (!stmt_) throwClosed();
  return sqlite3_stmt_readonly(stmt_.get()) != 0;
}

bool Statement::returnsRows() const { return columnCount() > 0; }

int Statement::parameterCount() const {
  if (!stmt_) throwClosed();
  return sqlite3_bind_parameter_count(stmt_.get());
}

const char* Statement::parameterName(int index) const {
  return sqlite3_bind_parameter_name(stmt_.get(), index);
}

void Statement::checkBind(int rc, int index) {
  if (rc == SQLITE_OK) return;  // the hot path: build no message
  if (rc == SQLITE_RANGE) throwInvalidArgument("Parameter index " + std::to_string(index) + " is out of range");
  checkSqlite(db_, rc, "binding parameter " + std::to_string(index));
}

void Statement::bindNull(int index) { checkBind(sqlite3_bind_null(stmt_.get(), index), index); }

void Statement::bindInt64(int index, std::int64_t value) {
  checkBind(sqlite3_bind_int64(stmt_.get(), index, value), index);
}

void Statement::bindDouble(int index, double value) {
  checkBind(sqlite3_bind_double(stmt_.get(), index, value), index);
}

void Statement::bindText(int index, std::string_view value) {
  checkBind(sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
}

void Statement::bindBlob(int index, std::span<const std::byte> value) {
  // A zero-length blob must still be a blob, not NULL: SQLite needs a non-null pointer for that.
  static constexpr std::byte empty{};
  const void* data = value.empty() ? &empty : value.data();
  checkBind(sqlite3_bind_blob64(stmt_.get(), index, data, value.size(), SQLITE_TRANSIENT), index);
}

void Statement::bindTextUnowned(int index, std::string_view value) {
  // A null pointer would bind NULL: an empty string needs a valid one.
  const char* data = value.data() != nullptr ? value.data() : "";
  checkBind(sqlite3_bind_text64(stmt_.get(), index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8), index);
}

void Statement::bindBlobUnowned(int index, std::span<const std::byte> value) {
  static constexpr std::byte empty{};
  const void* data = value.empty() ? &empty : value.data();
  checkBind(sqlite3_bind_blob64(stmt_.get(), index, data, value.size(), SQLITE_STATIC), index);
}

char* Statement::stageText(int index, std::size_t size) {
  if (staged_.empty()) stagedBytes_.clear();
  const std::size_t offset = stagedBytes_.size();
  stagedBytes_.resize(offset + size + 1);  // one more for the terminator a writer may add
  staged_.push_back({index, offset, size});
  return stagedBytes_.data() + offset;
}

void Statement::bindStagedText() {
  // A null pointer would bind NULL: an empty string needs a valid one.
  const char* base = stagedBytes_.empty() ? "" : stagedBytes_.data();
  for (const auto& text : staged_) {
    checkBind(sqlite3_bind_text64(stmt_.get(), text.index, base + text.offset, text.size, SQLITE_STATIC, SQLITE_UTF8),
              text.index);
  }
  staged_.clear();
}

bool Statement::step() {
  if (!stmt_) throwClosed();
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = sqliteError(db_, rc);
  reset();
  throw error;
}

void Statement::reset() noexcept {
  busy_ = false;
  staged_.clear();
  if (!stmt_) return;
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

int Statement::columnCount() const {
  if (!stmt_) throwClosed();
  return sqlite3_column_count(stmt_.get());
}

const char* Statement::columnName(int index) const { return sqlite3_column_name(stmt_.get(), index); }

ColumnType Statement::columnType(int index) const {
  return static_cast<ColumnType>(sqlite3_column_type(stmt_.get(), index));
}

std::int64_t Statement::columnInt64(int index) const { return sqlite3_column_int64(stmt_.get(), index); }

double Statement::columnDouble(int index) const { return sqlite3_column_double(stmt_.get(), index); }

std::string_view Statement::columnText(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), index));
  const int size = sqlite3_column_bytes(stmt_.get(), index);
  return text == nullptr ? std::string_view{} : std::string_view(text, static_cast<std::size_t>(size));
}

std::span<const std::byte> Statement::columnBlob(int index) const {
  const auto* data = static_cast<const std::byte*>(sqlite3_column_blob(stmt_.get(), index));
  const int size = sqlite3_column_bytes(stmt_.get(), index);
  return data == nullptr ? std::span<const std::byte>{} : std::span(data, static_cast<std::size_t>(size));
}

void Statement::finalize() noexcept {
  stmt_.reset();
  db_ = nullptr;
  busy_ = false;
}

void Statement::ensureUsable() const {
  if (!stmt_) throwClosed();
  if (busy_) {
    throw Error(ErrorCategory::state, codes::statementBusy,
                "This statement is busy: an iterator is still reading it (finish or return() the iterator first)");
  }
}

}  // namespace offline_sync::store
