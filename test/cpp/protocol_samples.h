// Sample protocol messages and an error-expectation helper shared by the protocol codec tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/protocol/codec.h"

namespace offline_sync::protocol::samples {

using store::Blob;

inline Blob bytes(std::initializer_list<int> values) {
  Blob blob;
  for (const int value : values) blob.push_back(static_cast<std::byte>(value));
  return blob;
}

// The change of docs/PROTOCOL.md, an insert with every value type, and a delete.
inline PushRequest samplePushRequest() {
  PushRequest request;
  request.deviceId = "office-1";
  request.changes.push_back({"office-1:41", "lessons", "0b7c6f6e-5a37-4bd0-9b53-7d7d0a0e4f10", ChangeOp::update,
                             ConflictPolicy::merge, 117, 111546104115200007ULL,
                             {{"starts_at", std::string("2026-12-02T10:00")}, {"minutes", std::int64_t{90}}},
                             std::nullopt, {{"starts_at", 111546104115200001ULL}}});
  request.changes.push_back({"office-1:42", "students", "s-1", ChangeOp::insert, ConflictPolicy::serverWins, 0,
                             111546104115200008ULL,
                             {{"name", std::string("Zoë \"Z\" O'Neil\n")},
                              {"photo", bytes({0, 1, 2, 255})},
                              {"balance", -12.5},
                              {"big", std::int64_t{1} << 60},
                              {"note", std::monostate{}}},
                             std::nullopt, {}});
  request.changes.push_back({"office-1:43", "lessons", "l-9", ChangeOp::remove, ConflictPolicy::manual, 3,
                             111546104115200009ULL, {}, std::nullopt, {}});
  return request;
}

inline RowState sampleRow() {
  RowState row;
  row.table = "lessons";
  row.row = "0b7c6f6e-5a37-4bd0-9b53-7d7d0a0e4f10";
  row.version = 118;
  row.columns = {{"starts_at", std::string("2026-12-02T10:00")}, {"minutes", std::int64_t{90}}};
  row.stamps = {{111546104115200007ULL, "office-1", 118}, {111546000000000000ULL, "laptop-2", 77}};
  return row;
}

inline PushResponse samplePushResponse() {
  PushResponse response;
  response.results.push_back({"office-1:41", PushStatus::applied, 118, {}, std::nullopt, "", ""});
  response.results.push_back({"office-1:42", PushStatus::merged, 119, {"minutes"}, sampleRow(), "", ""});
  response.results.push_back({"office-1:43", PushStatus::conflict, 0, {"minutes"}, sampleRow(), "", ""});
  response.results.push_back({"office-1:44", PushStatus::rejected, 0, {}, std::nullopt, "ERR_ROW_ID", "row id too long"});
  response.cursor = 119;
  return response;
}

inline PullResponse samplePullResponse() {
  PullResponse response;
  response.rows.push_back(sampleRow());
  RowState deleted;
  deleted.table = "students";
  deleted.row = "s-1";
  deleted.version = 120;
  deleted.deleted = true;
  deleted.columns = {{"photo", bytes({})}, {"weight", 71.0}};
  deleted.stamps = {{7, "laptop-2", 100}, {8, "laptop-2", 120}};
  response.rows.push_back(deleted);
  response.cursor = 120;
  response.more = true;
  return response;
}

// Runs `call`, expecting offline_sync::Error with the protocol category and `code`, whose message mentions `where`.
template <typename Call>
void expectCodedError(Call&& call, std::string_view code, std::string_view where = {}) {
  try {
    call();
    ADD_FAILURE() << "expected " << code << ", but decoding succeeded";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), code) << error.what();
    EXPECT_EQ(error.category(), ErrorCategory::protocol) << error.what();
    if (!where.empty()) {
      EXPECT_NE(std::string(error.what()).find(where), std::string::npos) << error.what();
    }
  }
}

}  // namespace offline_sync::protocol::samples
