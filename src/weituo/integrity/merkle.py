"""RFC 6962 (Certificate Transparency) Merkle tree: tree hash, inclusion and consistency proofs.

The ledger's leaves are the raw bytes of each entry hash (``bytes.fromhex(entry_hash)``); a leaf is
hashed as ``SHA-256(0x00 || data)`` and an interior node as ``SHA-256(0x01 || left || right)``, so the
roots and proofs here agree with any other RFC 6962 / RFC 9162 implementation.

``MerkleTree`` hashes the levels bottom-up once (a list per level, the odd node at the end of a level
carried up unchanged, which gives exactly the RFC 6962 tree) and then answers the root of the whole
tree or of any earlier size, and the inclusion and consistency proofs, from those cached levels in
O(log n) hashes. The module functions are conveniences over it. ``root_of`` computes a root from an
iterable in one pass and O(log n) memory.

``frontier_extend`` and ``frontier_root`` make a checkpoint incremental: the *frontier* of a tree of
n leaves is the hashes of its complete subtrees along the right edge, one per set bit of n, largest
first (the stack ``root_of`` keeps). A frontier plus the leaves appended since gives the frontier of
the larger tree in O(new leaves + log n) hashes, and folding a frontier from the right gives its
RFC 6962 root, the same bytes ``root`` and ``MerkleTree.root`` give.

Pure Python and ``hashlib`` only: the offline verifier uses this module without Django.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MerkleTree",
    "consistency_proof",
    "frontier_extend",
    "frontier_heights",
    "frontier_root",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "root_from_inclusion_proof",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) of RFC 6962 §2.1

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of one leaf."""
    return _sha256(b"\x00" + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node."""
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n >= 2``): where RFC 6962 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An RFC 6962 tree over ``leaves`` (leaf data, not leaf hashes), hashed once and kept level by level.

    ``root(size)``, ``inclusion_proof(index, size)`` and ``consistency_proof(old_size, new_size)``
    answer for the whole tree or for any earlier size (a prefix of the leaves), as a log does for
    its past tree heads.
    """

    __slots__ = ("_levels", "size")

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        sha = _sha256
        self._build([sha(b"\x00" + d).digest() for d in leaves])

    @classmethod
    def from_leaf_hashes(cls, hashes: Iterable[bytes]) -> MerkleTree:
        """A tree from leaf hashes already computed (``leaf_hash(data)`` of each leaf)."""
        tree = cls.__new__(cls)
        level = list(hashes)
        if any(len(h) != HASH_SIZE for h in level):
            raise ValueError("a leaf hash is not 32 bytes")
        tree._build(level)
        return tree

    def _build(self, level: list[bytes]) -> None:
        self.size = len(level)
        levels = [level]
        sha = _sha256
        while len(level) > 1:
            nxt = [sha(b"\x01" + a + b).digest() for a, b in zip(level[0::2], level[1::2], strict=False)]
            if len(level) % 2:
                nxt.append(level[-1])  # the odd node goes up unchanged: RFC 6962's left-heavy split
            levels.append(nxt)
            level = nxt
        self._levels = levels

    def __len__(self) -> int:
        return self.size

    def leaf_hash(self, index: int) -> bytes:
        if not 0 <= index < self.size:
            raise IndexError(f"leaf index {index} outside a tree of {self.size}")
        return self._levels[0][index]

    def _size(self, size: int | None) -> int:
        if size is None:
            return self.size
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= self.size:
            raise ValueError(f"tree size {size!r} outside 0..{self.size}")
        return size

    def _subtree(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for ``0 <= lo < hi <= size``, from the cached levels where the subtree is stored."""
        width = hi - lo
        if width & (width - 1) == 0 and lo % width == 0:
            # A complete subtree: stored at level log2(width), position lo / width.
            level = width.bit_length() - 1
            return self._levels[level][lo >> level]
        k = _split(width)
        return node_hash(self._subtree(lo, lo + k), self._subtree(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (all of them by default); ``EMPTY_ROOT`` for none."""
        n = self._size(size)
        if n == 0:
            return EMPTY_ROOT
        if n == self.size:
            return self._levels[-1][0]
        return self._subtree(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 6962 §2.1.1, the sibling nearest the leaf first."""
        n = self._size(size)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
            raise IndexError(f"leaf index {index!r} outside a tree of {n}")
        lo, hi = 0, n
        top_down: list[bytes] = []
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                top_down.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                top_down.append(self._subtree(lo, lo + k))
                lo += k
        top_down.reverse()
        return top_down

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 6962 §2.1.2; empty when the sizes are equal or old is 0."""
        n = self._size(new_size)
        m = self._size(old_size)
        if m > n:
            raise ValueError(f"old size {m} is larger than new size {n}")
        if m == 0 or m == n:
            return []
        # SUBPROOF(m, D[lo:hi], whole) unrolled: each step appends the node it puts after the sub-proof.
        lo, hi, whole = 0, n, True
        after: list[bytes] = []
        while m != hi:
            k = _split(hi - lo)
            if m - lo <= k:
                after.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                after.append(self._subtree(lo, lo + k))
                lo += k
                whole = False
        if not whole:
            after.append(self._subtree(lo, hi))
        after.reverse()
        return after


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 6962 §2.1 over the leaf data ``leaves``."""
    return root_of(leaves)


def root_of(leaves: Iterable[bytes]) -> bytes:
    """MTH over an iterable of leaf data in one pass, keeping one hash per level (O(log n) memory)."""
    sha = _sha256
    # stack[i] = (height, hash): complete subtrees of strictly decreasing height, left to right.
    heights: list[int] = []
    hashes: list[bytes] = []
    for data in leaves:
        h = sha(b"\x00" + data).digest()
        height = 0
        while heights and heights[-1] == height:
            heights.pop()
            h = sha(b"\x01" + hashes.pop() + h).digest()
            height += 1
        heights.append(height)
        hashes.append(h)
    if not hashes:
        return EMPTY_ROOT
    acc = hashes.pop()
    while hashes:
        acc = sha(b"\x01" + hashes.pop() + acc).digest()
    return acc


def frontier_heights(size: int) -> list[int]:
    """The heights of the frontier's subtrees for a tree of ``size`` leaves, largest first (its set bits)."""
    return [h for h in range(size.bit_length() - 1, -1, -1) if size >> h & 1]


def frontier_extend(frontier: Sequence[bytes], size: int, leaves: Iterable[bytes]) -> tuple[list[bytes], int]:
    """The frontier and size of the tree of ``size`` leaves (whose frontier is ``frontier``) after
    appending the leaf data ``leaves``: the same merge ``root_of`` does, started from a stored stack.

    ValueError if ``frontier`` does not have one 32-byte hash per set bit of ``size``.
    """
    heights = frontier_heights(size)
    if len(frontier) != len(heights) or not _valid_hashes(frontier):
        raise ValueError(f"a frontier of a tree of {size} leaves has {len(heights)} hashes of 32 bytes")
    hashes = [bytes(h) for h in frontier]
    sha = _sha256
    for data in leaves:
        h = sha(b"\x00" + data).digest()
        height = 0
        while heights and heights[-1] == height:
            heights.pop()
            h = sha(b"\x01" + hashes.pop() + h).digest()
            height += 1
        heights.append(height)
        hashes.append(h)
        size += 1
    return hashes, size


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """MTH of the tree whose frontier is ``frontier`` (folded from the right); ``EMPTY_ROOT`` for none."""
    if not frontier:
        return EMPTY_ROOT
    acc = bytes(frontier[-1])
    for h in reversed(frontier[:-1]):
        acc = node_hash(bytes(h), acc)
    return acc


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) over the leaf data ``leaves``."""
    return MerkleTree(leaves).inclusion_proof(index)


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]) over the leaf data ``leaves`` (n = len(leaves))."""
    return MerkleTree(leaves).consistency_proof(old_size)


def _valid_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _valid_hashes(proof: Sequence[bytes]) -> bool:
    return all(isinstance(p, bytes | bytearray) and len(p) == HASH_SIZE for p in proof)


def root_from_inclusion_proof(leaf_hash_: bytes, index: int, tree_size: int, proof: Sequence[bytes]) -> bytes | None:
    """The root that ``proof`` leads to from the leaf hash at ``index`` (RFC 9162 §2.1.3.2), or None if it cannot."""
    if not (_valid_size(index) and _valid_size(tree_size)) or index >= tree_size:
        return None
    if not _valid_hashes((leaf_hash_, *proof)):
        return None
    fn, sn = index, tree_size - 1
    r = bytes(leaf_hash_)
    for p in proof:
        if sn == 0:
            return None  # the proof is longer than the path
        if fn & 1 or fn == sn:
            r = node_hash(bytes(p), r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, bytes(p))
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None  # the proof is shorter than the path
    return r


def verify_inclusion(leaf_data: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """True if ``proof`` shows that leaf ``leaf_data`` is at ``index`` in the tree of ``tree_size`` with ``root``."""
    if not isinstance(root, bytes | bytearray):
        return False
    got = root_from_inclusion_proof(leaf_hash(leaf_data), index, tree_size, proof)
    return got is not None and got == bytes(root)


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """True if ``proof`` shows the tree (old_size, old_root) is a prefix of (new_size, new_root); RFC 9162 §2.1.4.2."""
    if not (_valid_size(old_size) and _valid_size(new_size)) or old_size > new_size:
        return False
    if not _valid_hashes(proof) or not _valid_hashes((old_root, new_root)):
        return False
    old_root, new_root = bytes(old_root), bytes(new_root)
    if old_size == 0:
        # Every tree extends the empty one; the proof is empty and the old root is the empty tree's.
        return not proof and old_root == EMPTY_ROOT
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = [bytes(p) for p in proof]
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)  # the old tree is a complete subtree: the proof leaves its root out
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
