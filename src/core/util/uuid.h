// Random (version 4) UUIDs for device ids and change ids.
#pragma once

#include <string>

namespace offline_sync {

// A new random UUID in the canonical lower-case 8-4-4-4-12 form.
std::string randomUuid();

}  // namespace offline_sync
