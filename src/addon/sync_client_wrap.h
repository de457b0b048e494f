// The native SyncClient behind lib/sync.js: start/stop/syncNow/close, and the answers lib/ relays from the app's
// onConflict and getToken. db._openSync(options, dispatch) creates it.
#pragma once

#include <napi.h>

#include <memory>

#include "addon/sync_session.h"
#include "core/store/store.h"

namespace offline_sync::addon {

class SyncClientWrap : public Napi::ObjectWrap<SyncClientWrap> {
 public:
  static Napi::Function define(Napi::Env env);
  // options: lib/'s native options (see readSyncConfig); dispatch: function(kind, payload) for every event.
  static Napi::Object create(Napi::Env env, std::shared_ptr<store::Store> store, const Napi::Value& options,
                             const Napi::Value& dispatch);

  explicit SyncClientWrap(const Napi::CallbackInfo& info);
  // A client the app dropped without close() is closed when collected.
  ~SyncClientWrap() override;

 private:
  Napi::Value start(const Napi::CallbackInfo& info);
  Napi::Value stop(const Napi::CallbackInfo& info);
  Napi::Value syncNow(const Napi::CallbackInfo& info);
  Napi::Value close(const Napi::CallbackInfo& info);
  Napi::Value closed(const Napi::CallbackInfo& info);
  // _answerConflict(id, { use: 'local' | 'remote' } | { use: 'merged', row } | null, message?)
  Napi::Value answerConflict(const Napi::CallbackInfo& info);
  // _answerToken(id, token | null, message?)
  Napi::Value answerToken(const Napi::CallbackInfo& info);
  // _setConflictHandler(boolean)
  Napi::Value setConflictHandler(const Napi::CallbackInfo& info);

  std::shared_ptr<SyncSession> session_;
};

}  // namespace offline_sync::addon
