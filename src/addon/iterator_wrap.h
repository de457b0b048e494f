// The lazy iterator stmt.iterate() returns: one row per next(), holding the statement until done or return().
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "core/store/statement.h"
#include "core/store/store.h"

namespace offline_sync::addon {

class IteratorWrap : public Napi::ObjectWrap<IteratorWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  // Binds params and marks the statement busy; the iterator releases it when exhausted, returned or collected.
  static Napi::Object create(const Napi::CallbackInfo& info, std::size_t first, std::shared_ptr<store::Store> store,
                             std::shared_ptr<store::Statement> statement);

  explicit IteratorWrap(const Napi::CallbackInfo& info);
  ~IteratorWrap() override;

 private:
  Napi::Value next(const Napi::CallbackInfo& info);
  Napi::Value finish(const Napi::CallbackInfo& info);
  void release() noexcept;

  std::shared_ptr<store::Store> store_;
  std::shared_ptr<store::Statement> statement_;  // null once released
};

}  // namespace offline_sync::addon
