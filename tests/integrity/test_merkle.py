"""RFC 6962 Merkle tree: the published test vectors, then every proof of every small tree, and forgeries."""

from __future__ import annotations

import random

import pytest

from weituo.integrity import merkle

H = bytes.fromhex

# RFC 6962 test vectors, as published by Certificate Transparency and kept in transparency-dev/merkle
# (proof/verify_test.go): the eight leaves, the root of each tree size 1..8, and proofs among them.
# There leaf numbers are 1-based; here indices are 0-based.
LEAVES = [
    H(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    H("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),  # size 0: SHA-256 of ""
    H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    H("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    H("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    H("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    H("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    H("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
INCLUSION = [  # (index, tree size, PATH)
    (
        0,
        8,
        [
            H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (2, 3, [H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        1,
        5,
        [
            H("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]
CONSISTENCY = [  # (old size, new size, PROOF)
    (
        1,
        8,
        [
            H("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            H("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            H("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]


def flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --------------------------------------------------------------------------- published vectors


def test_hash_prefixes():
    assert merkle.leaf_hash(b"") == ROOTS[1]  # SHA-256(0x00)
    assert merkle.node_hash(merkle.leaf_hash(LEAVES[0]), merkle.leaf_hash(LEAVES[1])) == ROOTS[2]
    assert ROOTS[0] == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_roots_match_rfc6962_vectors(size):
    leaves = LEAVES[:size]
    assert merkle.root(leaves) == ROOTS[size]
    assert merkle.root_of(iter(leaves)) == ROOTS[size]
    assert merkle.MerkleTree(leaves).root() == ROOTS[size]
    assert merkle.MerkleTree(LEAVES).root(size) == ROOTS[size]  # a past tree head of the bigger tree


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_vectors(index, size, path):
    assert merkle.inclusion_proof(LEAVES[:size], index) == path
    assert merkle.MerkleTree(LEAVES).inclusion_proof(index, size) == path
    assert merkle.verify_inclusion(LEAVES[index], index, size, path, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_vectors(old, new, proof):
    assert merkle.consistency_proof(LEAVES[:new], old) == proof
    assert merkle.MerkleTree(LEAVES).consistency_proof(old, new) == proof
    assert merkle.verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)
    assert not merkle.verify_consistency(old, new, ROOTS[new], ROOTS[old], proof)


def test_proof_shapes_follow_rfc6962():
    """The nodes a proof is made of, named by the leaf ranges they cover (RFC 6962 §2.1.3's examples)."""
    d = [bytes([i]) for i in range(8)]

    def mth(a, b):
        return merkle.root(d[a:b])

    tree = merkle.MerkleTree(d)
    # Tree of 7: leaf 0's path is b, h, and l = MTH(d4..d6) (the odd leaf j hashed with i).
    assert tree.inclusion_proof(0, 7) == [mth(1, 2), mth(2, 4), mth(4, 7)]
    assert tree.inclusion_proof(6, 7) == [mth(4, 6), mth(0, 4)]
    assert tree.inclusion_proof(3, 5) == [mth(2, 3), mth(0, 2), mth(4, 5)]
    # RFC 6962 §2.1.3: PROOF(3, D[7]) = [c, d, g, l], PROOF(4, D[7]) = [l], PROOF(6, D[7]) = [i, j, k].
    assert tree.consistency_proof(3, 7) == [mth(2, 3), mth(3, 4), mth(0, 2), mth(4, 7)]
    assert tree.consistency_proof(4, 7) == [mth(4, 7)]
    assert tree.consistency_proof(6, 7) == [mth(4, 6), mth(6, 7), mth(0, 4)]
    assert tree.consistency_proof(5, 7) == [mth(4, 5), mth(5, 6), mth(6, 7), mth(0, 4)]


# --------------------------------------------------------------------------- every proof of every small tree


def random_leaves(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(32) for _ in range(n)]


def test_tree_root_and_streaming_root_agree():
    leaves = random_leaves(300, 7)
    tree = merkle.MerkleTree(leaves)
    same = merkle.MerkleTree.from_leaf_hashes([merkle.leaf_hash(x) for x in leaves])
    for size in range(301):
        expected = merkle.root_of(leaves[:size])
        assert tree.root(size) == expected
        assert same.root(size) == expected


@pytest.mark.parametrize("n", range(1, 71))
def test_every_inclusion_proof_verifies_and_forgeries_are_rejected(n):
    rng = random.Random(n)
    leaves = random_leaves(n, n)
    tree = merkle.MerkleTree(leaves)
    root = tree.root()
    for i in range(n):
        proof = tree.inclusion_proof(i)
        assert merkle.verify_inclusion(leaves[i], i, n, proof, root)
        # Each element with one bit flipped.
        for k in range(len(proof)):
            forged = list(proof)
            forged[k] = flip(proof[k], rng.randrange(256))
            assert not merkle.verify_inclusion(leaves[i], i, n, forged, root)
        # Wrong index.
        for j in {i - 1, i + 1, i ^ 2}:
            if 0 <= j < n and j != i:
                assert not merkle.verify_inclusion(leaves[i], j, n, proof, root)
        assert not merkle.verify_inclusion(leaves[i], n, n, proof, root)  # index outside the tree
        # Wrong root, wrong leaf, a component missing or added.
        assert not merkle.verify_inclusion(leaves[i], i, n, proof, flip(root, rng.randrange(256)))
        assert not merkle.verify_inclusion(flip(leaves[i], rng.randrange(256)), i, n, proof, root)
        if proof:
            assert not merkle.verify_inclusion(leaves[i], i, n, proof[:-1], root)
        assert not merkle.verify_inclusion(leaves[i], i, n, [*proof, root], root)
        assert not merkle.verify_inclusion(leaves[i], i, n, [root, *proof], root)


@pytest.mark.parametrize("n", range(2, 71))
def test_every_consistency_proof_verifies_and_forgeries_are_rejected(n):
    rng = random.Random(1000 + n)
    leaves = random_leaves(n, 1000 + n)
    tree = merkle.MerkleTree(leaves)
    new_root = tree.root()
    for m in range(1, n):
        old_root = tree.root(m)
        proof = tree.consistency_proof(m)
        assert proof
        assert merkle.verify_consistency(m, n, old_root, new_root, proof)
        for k in range(len(proof)):
            forged = list(proof)
            forged[k] = flip(proof[k], rng.randrange(256))
            assert not merkle.verify_consistency(m, n, old_root, new_root, forged)
        assert not merkle.verify_consistency(m, n, flip(old_root, rng.randrange(256)), new_root, proof)
        assert not merkle.verify_consistency(m, n, old_root, flip(new_root, rng.randrange(256)), proof)
        assert not merkle.verify_consistency(m, n, new_root, old_root, proof)
        assert not merkle.verify_consistency(m - 1, n, old_root, new_root, proof)
        assert not merkle.verify_consistency(m + 1, n, old_root, new_root, proof)
        assert not merkle.verify_consistency(m, n, old_root, new_root, [])
        assert not merkle.verify_consistency(m, n, old_root, new_root, proof[:-1])
        assert not merkle.verify_consistency(m, n, old_root, new_root, [*proof, new_root])
        assert not merkle.verify_consistency(m, n, old_root, new_root, [proof[0], *proof])
        # A proof for a history that was rewritten: the old tree with one leaf changed.
        rewritten = merkle.root([*leaves[: m - 1], flip(leaves[m - 1], 0)])
        assert not merkle.verify_consistency(m, n, rewritten, new_root, proof)


def test_every_bit_of_a_proof_matters():
    leaves = random_leaves(13, 3)
    tree = merkle.MerkleTree(leaves)
    proof = tree.inclusion_proof(9)
    cproof = tree.consistency_proof(5)
    for k in range(len(proof)):
        for bit in range(256):
            forged = [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]]
            assert not merkle.verify_inclusion(leaves[9], 9, 13, forged, tree.root())
    for k in range(len(cproof)):
        for bit in range(256):
            forged = [*cproof[:k], flip(cproof[k], bit), *cproof[k + 1 :]]
            assert not merkle.verify_consistency(5, 13, tree.root(5), tree.root(), forged)


def test_trivial_and_invalid_cases():
    leaves = random_leaves(5, 11)
    tree = merkle.MerkleTree(leaves)
    root = tree.root()
    assert tree.inclusion_proof(0, 1) == []
    assert merkle.verify_inclusion(leaves[0], 0, 1, [], merkle.leaf_hash(leaves[0]))
    assert not merkle.verify_inclusion(leaves[0], 0, 0, [], merkle.EMPTY_ROOT)
    assert tree.consistency_proof(5) == [] and tree.consistency_proof(0) == []
    assert merkle.verify_consistency(5, 5, root, root, [])
    assert not merkle.verify_consistency(5, 5, root, root, [root])
    assert not merkle.verify_consistency(5, 5, tree.root(4), root, [])
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root, [])
    assert not merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, root, [root])
    assert not merkle.verify_consistency(5, 4, root, tree.root(4), [])
    assert not merkle.verify_consistency(2, 5, tree.root(2), root, [b"short"])
    with pytest.raises(IndexError):
        tree.inclusion_proof(5)
    with pytest.raises(IndexError):
        tree.inclusion_proof(3, 3)
    with pytest.raises(ValueError):
        tree.consistency_proof(6)
    with pytest.raises(ValueError):
        tree.root(6)
    with pytest.raises(ValueError):
        merkle.MerkleTree.from_leaf_hashes([b"not 32 bytes"])
