// Per-environment state of the addon (one per Node main thread, worker or Electron renderer): no globals.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "core/store/store.h"

namespace offline_sync::addon {

// The stores opened in one environment, so its teardown can close those the app left open.
class OpenStores {
 public:
  void add(const std::shared_ptr<store::Store>& store);
  void closeAll() noexcept;

 private:
  std::vector<std::weak_ptr<store::Store>> stores_;
};

class OpenSyncClients;

class OfflineSyncAddon : public Napi::Addon<OfflineSyncAddon> {
 public:
  OfflineSyncAddon(Napi::Env env, Napi::Object exports);

  static OfflineSyncAddon& of(Napi::Env env) { return *env.GetInstanceData<OfflineSyncAddon>(); }

  Napi::FunctionReference errorClass;
  // Where run() leaves { changes, lastInsertRowid } for lib/ to read: two numbers in a Float64Array lib/ registered.
  // Building the result object through Node-API costs more than the insert it reports on. Null until registered.
  double* runResultSlots();
  Napi::FunctionReference statementClass;
  Napi::FunctionReference iteratorClass;
  Napi::FunctionReference syncClientClass;
  const std::shared_ptr<OpenStores>& openStores() const noexcept { return openStores_; }
  const std::shared_ptr<OpenSyncClients>& openSyncClients() const noexcept { return openSyncClients_; }

 private:
  Napi::Value setErrorClass(const Napi::CallbackInfo& info);
  Napi::Value setRunResultSlots(const Napi::CallbackInfo& info);

  Napi::Reference<Napi::Float64Array> runResultArray_;  // keeps runResultSlots' memory alive

  std::shared_ptr<OpenStores> openStores_ = std::make_shared<OpenStores>();
  std::shared_ptr<OpenSyncClients> openSyncClients_;  // made in the constructor (the type is complete there)
};

}  // namespace offline_sync::addon
