// Steps the statement once per next(); any error or the end of the rows releases it.
#include "addon/iterator_wrap.h"

#include "addon/addon.h"
#include "addon/errors.h"
#include "addon/values.h"

namespace offline_sync::addon {
namespace {

struct Parts {
  std::shared_ptr<store::Store> store;
  std::shared_ptr<store::Statement> statement;
};

Napi::Object iteratorResult(Napi::Env env, Napi::Value value, bool done) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("value", value);
  result.Set("done", Napi::Boolean::New(env, done));
  return result;
}

}  // namespace

Napi::Function IteratorWrap::define(Napi::Env env) {
  return DefineClass(env, "StatementIterator",
                     {
                         InstanceMethod<&IteratorWrap::next>("next"),
                         InstanceMethod<&IteratorWrap::finish>("return"),
                     });
}

Napi::Object IteratorWrap::create(const Napi::CallbackInfo& info, std::size_t first,
                                  std::shared_ptr<store::Store> store, std::shared_ptr<store::Statement> statement) {
  const Napi::Env env = info.Env();
  statement->ensureUsable();
  bindArguments(info, first, *statement);
  Parts parts{std::move(store), statement};
  Napi::Object iterator;
  try {
    iterator = OfflineSyncAddon::of(env).iteratorClass.New({Napi::External<Parts>::New(env, &parts)});
  } catch (...) {
    statement->reset();
    throw;
  }
  statement->setBusy(true);
  return iterator;
}

IteratorWrap::IteratorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<IteratorWrap>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) {
    throw makeError(info.Env(), codes::invalidArg, "Iterators are created by stmt.iterate(params)");
  }
  auto* parts = info[0].As<Napi::External<Parts>>().Data();
  store_ = std::move(parts->store);
  statement_ = std::move(parts->statement);
}

IteratorWrap::~IteratorWrap() { release(); }

void IteratorWrap::release() noexcept {
  if (statement_) statement_->reset();
  statement_.reset();
}

Napi::Value IteratorWrap::next(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  return guard(env, [&]() -> Napi::Value {
    if (!statement_) return iteratorResult(env, env.Undefined(), true);
    try {
      if (!statement_->step()) {
        release();
        return iteratorResult(env, env.Undefined(), true);
      }
      return iteratorResult(env, RowReader(env, *statement_).read(*statement_), false);
    } catch (...) {
      release();
      throw;
    }
  });
}

Napi::Value IteratorWrap::finish(const Napi::CallbackInfo& info) {
  release();
  return iteratorResult(info.Env(), info.Env().Undefined(), true);
}

}  // namespace offline_sync::addon
