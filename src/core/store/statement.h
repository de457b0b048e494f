// A prepared SQLite statement: binding, stepping and column access without copies, for the addon's hot paths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace offline_sync::store {

enum class ColumnType { integer = 1, real = 2, text = 3, blob = 4, null = 5 };

class Statement {
 public:
  // Compiles exactly one statement; more than one, or none, is an ERR_INVALID_ARG.
  Statement(sqlite3* db, std::string_view sql, bool persistent);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  const std::string& sql() const noexcept { return sql_; }
  bool readonly() const;
  bool returnsRows() const;

  // Parameters are 1-based, as in SQLite.
  int parameterCount() const;
  const char* parameterName(int index) const;  // ":id", "@id", "$id"; nullptr for "?"
  void bindNull(int index);
  void bindInt64(int index, std::int64_t value);
  void bindDouble(int index, double value);
  void bindText(int index, std::string_view value);  // copied by SQLite
  void bindBlob(int index, std::span<const std::byte> value);
  // Bound without a copy (no allocation per value): the caller keeps the bytes alive and unchanged until the
  // statement is reset, as with a ResetOnExit around the binding and the step.
  void bindTextUnowned(int index, std::string_view value);
  void bindBlobUnowned(int index, std::span<const std::byte> value);
  // Text gathered into a buffer the statement owns and bound without a copy: stageText gives room for `size` bytes
  // (and a terminator) of parameter `index` (valid until the next stageText), bindStagedText binds everything staged since the last
  // call. The buffer stays untouched until the statement is bound again, as SQLite needs. Start a binding pass with
  // discardStagedText, in case an earlier one failed halfway.
  char* stageText(int index, std::size_t size);
  void bindStagedText();
  void discardStagedText() noexcept { staged_.clear(); }

  // True when a row is ready. Throws the SQLite error (and resets) on failure.
  bool step();
  // Ready for the next execution: resets the cursor and clears bindings. Never throws.
  void reset() noexcept;

  // Columns are 0-based, valid after step() returned true.
  int columnCount() const;
  const char* columnName(int index) const;
  ColumnType columnType(int index) const;
  std::int64_t columnInt64(int index) const;
  double columnDouble(int index) const;
  std::string_view columnText(int index) const;
  std::span<const std::byte> columnBlob(int index) const;

  // An iterator holds the statement between steps; nothing else may run it meanwhile.
  bool busy() const noexcept { return busy_; }
  void setBusy(bool busy) noexcept { busy_ = busy; }

  // Releases the SQLite statement; every later use throws ERR_CLOSED. Called when the connection closes.
  void finalize() noexcept;
  bool finalized() const noexcept { return stmt_ == nullptr; }
  // Throws ERR_CLOSED once finalized, ERR_STATEMENT_BUSY while an iterator holds it.
  void ensureUsable() const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };
  void checkBind(int rc, int index);

  struct StagedText {
    int index;
    std::size_t offset;
    std::size_t size;
  };

  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  std::string sql_;
  bool busy_ = false;
  std::string stagedBytes_;
  std::vector<StagedText> staged_;
};

// Resets a statement when a scope ends, however it ends, so a cached statement is never left mid-execution.
class ResetOnExit {
 public:
  explicit ResetOnExit(Statement& statement) noexcept : statement_(statement) {}
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;
  ~ResetOnExit() { statement_.reset(); }

 private:
  Statement& statement_;
};

}  // namespace offline_sync::store
