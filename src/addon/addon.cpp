// Module entry: registers the classes and an environment cleanup hook that closes what the app left open.
#include "addon/addon.h"

#include <algorithm>

#include "addon/database_wrap.h"
#include "addon/iterator_wrap.h"
#include "addon/open_sync_clients.h"
#include "addon/statement_wrap.h"
#include "addon/sync_client_wrap.h"

namespace offline_sync::addon {

void OpenStores::add(const std::shared_ptr<store::Store>& store) {
  std::erase_if(stores_, [](const std::weak_ptr<store::Store>& weak) { return weak.expired(); });
  stores_.push_back(store);
}

void OpenStores::closeAll() noexcept {
  for (auto& weak : stores_) {
    if (auto store = weak.lock()) store->close();
  }
  stores_.clear();
}

OfflineSyncAddon::OfflineSyncAddon(Napi::Env env, Napi::Object exports)
    : openSyncClients_(std::make_shared<OpenSyncClients>()) {
  statementClass = Napi::Persistent(StatementWrap::define(env));
  iteratorClass = Napi::Persistent(IteratorWrap::define(env));
  syncClientClass = Napi::Persistent(SyncClientWrap::define(env));
  DefineAddon(exports, {
                           InstanceValue("Database", DatabaseWrap::define(env), napi_enumerable),
                           InstanceValue("Statement", statementClass.Value(), napi_enumerable),
                           InstanceValue("StatementIterator", iteratorClass.Value(), napi_enumerable),
                           InstanceMethod<&OfflineSyncAddon::setErrorClass>("setErrorClass", napi_enumerable),
                           InstanceMethod<&OfflineSyncAddon::setRunResultSlots>("setRunResultSlots", napi_enumerable),
                       });
  // A worker's exit or a renderer's reload: close the connections (rolling back what is open) before the
  // environment's objects are finalized in no particular order. Sync clients first: their engines' threads are
  // joined while the stores they were opened from are still open.
  env.AddCleanupHook([stores = openStores_, syncClients = openSyncClients_] {
    syncClients->closeAll();
    stores->closeAll();
  });
}

Napi::Value OfflineSyncAddon::setErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "setErrorClass expects a class");
  errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

double* OfflineSyncAddon::runResultSlots() {
  if (runResultArray_.IsEmpty()) return nullptr;
  // Re-read each time: if the buffer was transferred (detached) its length is 0 and its old memory is not ours.
  Napi::Float64Array array = runResultArray_.Value();
  return array.ElementLength() >= 2 ? array.Data() : nullptr;
}

Napi::Value OfflineSyncAddon::setRunResultSlots(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[0].As<Napi::Float64Array>().ElementLength() < 2) {
    throw Napi::TypeError::New(info.Env(), "setRunResultSlots expects a Float64Array of 2 elements");
  }
  // lib/ registers once at load; nobody may swap the array afterwards.
  if (!runResultArray_.IsEmpty()) throw Napi::Error::New(info.Env(), "The run result slots are already registered");
  runResultArray_ = Napi::Persistent(info[0].As<Napi::Float64Array>());
  return info.Env().Undefined();
}

}  // namespace offline_sync::addon

using offline_sync::addon::OfflineSyncAddon;
NODE_API_ADDON(OfflineSyncAddon)
