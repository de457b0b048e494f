// Strict typed reads over simdjson On-Demand, with error messages that name the offending field.
#include "core/protocol/json_reader.h"

#include <vector>

#include "core/error.h"
#include "core/protocol/validation.h"

namespace offline_sync::protocol::json {
namespace {

constexpr std::string_view kProtocolCode = "ERR_PROTOCOL";
constexpr std::string_view kTooLargeCode = "ERR_TOO_LARGE";
// Unknown fields may hold structures of a later protocol version, but no message needs more nesting than this; the
// bound keeps the recursive skip's stack small whatever the input.
constexpr int kMaxSkipDepth = 32;

// Keys come from the peer: keep them short and printable in messages.
void appendKey(std::string& out, std::string_view key) {
  constexpr std::size_t kMaxShown = 64;
  for (std::size_t i = 0; i < key.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    out += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
  }
  if (key.size() > kMaxShown) out += "...";
}

void skipNested(ondemand::value& value, const Where& where, int depthLeft) {
  ondemand::json_type type = ondemand::json_type::null;
  check(value.type().get(type), where, "a JSON value");
  switch (type) {
    case ondemand::json_type::object: {
      if (depthLeft == 0) fail(where, "nested too deeply");
      auto object = objectAt(value, where);
      forEachField(object, where, [&](std::string_view, ondemand::value& field, const Where& at) {
        skipNested(field, at, depthLeft - 1);
      });
      break;
    }
    case ondemand::json_type::array: {
      if (depthLeft == 0) fail(where, "nested too deeply");
      auto array = arrayAt(value, where);
      forEachElement(array, where, [&](ondemand::value& element, const Where& at) {
        skipNested(element, at, depthLeft - 1);
      });
      break;
    }
    case ondemand::json_type::number: {
      double number;
      check(value.get_double().get(number), where, "a number");
      break;
    }
    case ondemand::json_type::string:
      stringAt(value, where);
      break;
    case ondemand::json_type::boolean:
      booleanAt(value, where);
      break;
    case ondemand::json_type::null: {
      bool isNull = false;
      check(value.is_null().get(isNull), where, "null");
      if (!isNull) fail(where, "not valid JSON");
      break;
    }
  }
}

}  // namespace

std::string Where::str() const { return relativeTo(Where()); }

std::string Where::relativeTo(const Where& ancestor) const {
  std::vector<const Where*> chain;
  for (const Where* at = this; at != nullptr && at != &ancestor && at->kind_ != Kind::body; at = at->parent_) {
    chain.push_back(at);
  }
  if (chain.empty()) return "body";
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if ((*it)->kind_ == Kind::index) {
      out += '[' + std::to_string((*it)->index_) + ']';
    } else {
      if (!out.empty()) out += '.';
      appendKey(out, (*it)->key_);
    }
  }
  return out;
}

void fail(const Where& where, std::string_view problem) {
  throw Error(ErrorCategory::protocol, kProtocolCode, where.str() + ": " + std::string(problem));
}

void failTooLarge(const Where& where, std::string_view problem) {
  throw Error(ErrorCategory::protocol, kTooLargeCode, where.str() + ": " + std::string(problem));
}

void check(simdjson::error_code error, const Where& where, std::string_view expected) {
  if (error == simdjson::SUCCESS) return;
  if (error == simdjson::MEMALLOC) {
    throw Error(ErrorCategory::internal, codes::outOfMemory, "out of memory decoding a protocol message");
  }
  if (error == simdjson::INCORRECT_TYPE) fail(where, "expected " + std::string(expected));
  fail(where, "not valid JSON (" + std::string(simdjson::error_message(error)) + ")");
}

ondemand::object objectAt(ondemand::value& value, const Where& where) {
  ondemand::object object;
  check(value.get_object().get(object), where, "an object");
  return object;
}

ondemand::array arrayAt(ondemand::value& value, const Where& where) {
  ondemand::array array;
  check(value.get_array().get(array), where, "an array");
  return array;
}

std::string_view stringAt(ondemand::value& value, const Where& where) {
  std::string_view text;
  check(value.get_string().get(text), where, "a string");
  return text;
}

bool booleanAt(ondemand::value& value, const Where& where) {
  bool flag = false;
  check(value.get_bool().get(flag), where, "true or false");
  return flag;
}

std::string_view numberToken(ondemand::value& value) {
  std::string_view token = value.raw_json_token();
  const auto end = token.find_first_of(" \t\r\n");
  return end == std::string_view::npos ? token : token.substr(0, end);
}

bool isRealToken(std::string_view token) { return token.find_first_of(".eE") != std::string_view::npos; }

bool isIntegerToken(std::string_view token) {
  if (!token.empty() && token[0] == '-') token.remove_prefix(1);
  if (token.empty() || (token[0] == '0' && token.size() > 1)) return false;
  return token.find_first_not_of("0123456789") == std::string_view::npos;
}

std::int64_t integerAt(ondemand::value& value, const Where& where) {
  ondemand::json_type type = ondemand::json_type::null;
  check(value.type().get(type), where, "an integer");
  if (type != ondemand::json_type::number) fail(where, "expected an integer");
  const std::string_view token = numberToken(value);
  if (isRealToken(token)) fail(where, "expected an integer, not a real");
  if (!isIntegerToken(token)) fail(where, "not a valid number");
  std::int64_t number = 0;
  if (value.get_int64().get(number) != simdjson::SUCCESS) fail(where, "integer out of the 64-bit range");
  return number;
}

std::int64_t versionAt(ondemand::value& value, const Where& where) {
  const std::int64_t version = integerAt(value, where);
  if (version < 0) fail(where, "must not be negative");
  return version;
}

HlcStamp hlcAt(ondemand::value& value, const Where& where) {
  const auto stamp = parseUnsignedDecimal(stringAt(value, where));
  if (!stamp) fail(where, "expected an hlc stamp: the decimal string of an unsigned 64-bit integer");
  return *stamp;
}

void skipValue(ondemand::value& value, const Where& where) { skipNested(value, where, kMaxSkipDepth); }

void SeenFields::mark(unsigned field, const Where& where) {
  if ((seen_ & field) != 0) fail(where, "field given twice");
  seen_ |= field;
}

void SeenFields::require(unsigned field, const Where& object, std::string_view name) const {
  if ((seen_ & field) == 0) fail(object, "missing required field \"" + std::string(name) + "\"");
}

}  // namespace offline_sync::protocol::json
