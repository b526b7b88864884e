// Open addressing over entries kept elsewhere (a table of word counts, the
// ids met in a run): the entries stay in the order added, in whatever form
// suits them, and this finds one by its hash in about one probe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace qanat {

/// Each slot holds an entry's number + 1 (0: free), placed by the entry's
/// hash and probed linearly; at most three quarters of the slots are taken.
class SlotIndex {
  public:
    /// Before adding entry number `entries`: makes room for it, placing every
    /// entry again when the table grows (hash_of(n): entry n's hash).
    template <class HashOf>
    void make_room(std::size_t entries, HashOf&& hash_of) {
        if ((entries + 1) * 4 <= slots_.size() * 3) return;
        std::vector<std::uint32_t> slots(std::max<std::size_t>(1024, slots_.size() * 2), 0);
        for (std::size_t n = 0; n < entries; ++n) {
            std::size_t i = hash_of(n) & (slots.size() - 1);
            while (slots[i] != 0) i = (i + 1) & (slots.size() - 1);
            slots[i] = static_cast<std::uint32_t>(n + 1);
        }
        slots_ = std::move(slots);
    }
    /// The slot of the first entry met from h's place for which is(n) holds
    /// (the probe meets entries of other hashes too: is() compares the hash
    /// as well as the entry), or the free slot where it would go. Not on an
    /// empty index (see make_room, empty).
    template <class Is>
    std::size_t find(std::uint64_t h, Is&& is) const {
        std::size_t i = h & (slots_.size() - 1);
        for (; slots_[i] != 0; i = (i + 1) & (slots_.size() - 1))
            if (is(std::size_t{slots_[i] - 1})) break;
        return i;
    }
    bool taken(std::size_t slot) const { return slots_[slot] != 0; }
    /// The entry number at a taken slot.
    std::size_t entry(std::size_t slot) const { return slots_[slot] - 1; }
    void put(std::size_t slot, std::size_t entry) { slots_[slot] = static_cast<std::uint32_t>(entry + 1); }
    bool empty() const { return slots_.empty(); }
    void clear() { slots_ = {}; }

  private:
    std::vector<std::uint32_t> slots_;
};

}  // namespace qanat
