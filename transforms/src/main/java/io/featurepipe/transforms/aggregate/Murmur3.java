package io.featurepipe.transforms.aggregate;

/**
 * MurmurHash3 x64 128-bit, first 64 bits: exactly {@code Hashing.murmur3_128(seed).hashBytes(bytes,
 * 0, length).asLong()} of Guava (tests compare the two), without Guava's per-call allocations
 * (a hasher, a buffer and a hash code), because {@link DistinctCountAccumulator} hashes every value
 * it is given.
 */
final class Murmur3 {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private Murmur3() {}

  /** The first 64 bits (little-endian) of murmur3_x64_128 of {@code bytes[0..length)}. */
  static long hash64(byte[] bytes, int length, int seed) {
    long h1 = seed;
    long h2 = seed;
    int blocks = length >>> 4;
    for (int i = 0; i < blocks; i++) {
      int p = i << 4;
      long k1 = littleEndianLong(bytes, p);
      long k2 = littleEndianLong(bytes, p + 8);
      h1 ^= mixK1(k1);
      h1 = Long.rotateLeft(h1, 27);
      h1 += h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= mixK2(k2);
      h2 = Long.rotateLeft(h2, 31);
      h2 += h1;
      h2 = h2 * 5 + 0x38495ab5;
    }
    int tail = blocks << 4;
    int rest = length - tail;
    if (rest > 0) {
      long k1 = 0;
      long k2 = 0;
      for (int i = Math.min(rest, 16) - 1; i >= 8; i--) {
        k2 ^= (long) (bytes[tail + i] & 0xFF) << (8 * (i - 8));
      }
      for (int i = Math.min(rest, 8) - 1; i >= 0; i--) {
        k1 ^= (long) (bytes[tail + i] & 0xFF) << (8 * i);
      }
      h1 ^= mixK1(k1);
      h2 ^= mixK2(k2);
    }
    h1 ^= length;
    h2 ^= length;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    return h1 + h2;
  }

  private static long littleEndianLong(byte[] b, int p) {
    return (b[p] & 0xFFL)
        | (b[p + 1] & 0xFFL) << 8
        | (b[p + 2] & 0xFFL) << 16
        | (b[p + 3] & 0xFFL) << 24
        | (b[p + 4] & 0xFFL) << 32
        | (b[p + 5] & 0xFFL) << 40
        | (b[p + 6] & 0xFFL) << 48
        | (b[p + 7] & 0xFFL) << 56;
  }

  private static long mixK1(long k1) {
    k1 *= C1;
    k1 = Long.rotateLeft(k1, 31);
    return k1 * C2;
  }

  private static long mixK2(long k2) {
    k2 *= C2;
    k2 = Long.rotateLeft(k2, 33);
    return k2 * C1;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
