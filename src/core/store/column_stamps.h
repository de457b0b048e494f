// Per-column stamps of a change whose columns were written at different times. A pending update amended by a later
// write of other columns keeps, for each column the later write did not touch, the stamp of that column's own write:
// otherwise the amendment would make an older value look newer and let it win a conflict it should lose.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock/hybrid_clock.h"

namespace offline_sync::store {

// Column bit -> stamp, for the columns whose stamp is older than the change's own (every other column of the change
// has the change's stamp). Stored as "bit:stamp;bit:stamp"; empty means no such column.
using ColumnStamps = std::map<int, HlcStamp>;

ColumnStamps parseColumnStamps(std::string_view text);
// "" for no stamps (stored as NULL).
std::string formatColumnStamps(const ColumnStamps& stamps);

// One side of a fold: the columns a change carries, its stamp and its older column stamps.
struct StampedColumns {
  std::int64_t columns = 0;
  HlcStamp hlc = 0;
  ColumnStamps older;
};

// The older column stamps after folding `newer` into `older` (the folded change carries newer.hlc): the older
// change's columns the newer one does not write keep their stamps; the newer one's keep theirs.
ColumnStamps foldColumnStamps(const StampedColumns& older, const StampedColumns& newer);

}  // namespace offline_sync::store
