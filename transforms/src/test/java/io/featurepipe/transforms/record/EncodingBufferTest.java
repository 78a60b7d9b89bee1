package io.featurepipe.transforms.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EncodingBufferTest {

  @Test
  void holdsWhatADataOutputWritesAcrossGrowth() throws Exception {
    Random random = new Random(3);
    EncodingBuffer buffer = new EncodingBuffer(1);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    DataOutputStream viaBuffer = new DataOutputStream(buffer);
    DataOutputStream viaJava = new DataOutputStream(expected);
    for (int i = 0; i < 2_000; i++) {
      switch (random.nextInt(4)) {
        case 0 -> {
          int b = random.nextInt(256);
          viaBuffer.write(b);
          viaJava.write(b);
        }
        case 1 -> {
          long v = random.nextLong();
          viaBuffer.writeLong(v);
          viaJava.writeLong(v);
        }
        case 2 -> {
          byte[] chunk = new byte[random.nextInt(100)];
          random.nextBytes(chunk);
          int off = chunk.length == 0 ? 0 : random.nextInt(chunk.length);
          viaBuffer.write(chunk, off, chunk.length - off);
          viaJava.write(chunk, off, chunk.length - off);
        }
        default -> {
          String s = "key-" + random.nextInt();
          viaBuffer.writeUTF(s);
          viaJava.writeUTF(s);
        }
      }
    }
    viaBuffer.flush();
    assertEquals(expected.size(), buffer.size());
    assertArrayEquals(expected.toByteArray(), Arrays.copyOf(buffer.array(), buffer.size()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    buffer.writeTo(out);
    assertArrayEquals(expected.toByteArray(), out.toByteArray());
    assertThrows(IndexOutOfBoundsException.class, () -> buffer.write(new byte[2], 1, 2));
  }

  @Test
  void aHashFirstBufferPutsAHashOfWhatFollowsBeforeIt() throws Exception {
    for (int length : new int[] {0, 3, 40, 1_000}) {
      byte[] payload = new byte[length];
      new Random(length).nextBytes(payload);
      EncodingBuffer buffer = EncodingBuffer.hashFirst(8);
      buffer.write(payload, 0, length);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      buffer.writeHashFirstTo(out);
      byte[] bytes = out.toByteArray();
      assertEquals(EncodingBuffer.HASH_BYTES + length, bytes.length);
      assertEquals(com.google.common.hash.Hashing.murmur3_32_fixed().hashBytes(payload).asInt(),
          java.nio.ByteBuffer.wrap(bytes).getInt(), "the first four bytes, big-endian, across growth: " + length);
      assertArrayEquals(payload, Arrays.copyOfRange(bytes, EncodingBuffer.HASH_BYTES, bytes.length));
    }
    EncodingBuffer plain = new EncodingBuffer(8);
    plain.write(new byte[] {1, 2, 3, 4, 5}, 0, 5);
    assertThrows(IllegalStateException.class, () -> plain.writeHashFirstTo(new ByteArrayOutputStream()),
        "a plain buffer's first bytes are data");
  }

  /** An output stream that keeps each write call's bytes apart. */
  private static final class Calls extends java.io.OutputStream {
    final java.util.List<byte[]> calls = new java.util.ArrayList<>();

    @Override
    public void write(int b) {
      calls.add(new byte[] {(byte) b});
    }

    @Override
    public void write(byte[] b, int off, int len) {
      calls.add(Arrays.copyOfRange(b, off, off + len));
    }
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Writes {@code b} a byte at a time, as a coder writing tags and varints does. */
  private static void byByte(byte[] b, java.io.OutputStream out) throws java.io.IOException {
    for (byte x : b) {
      out.write(x);
    }
  }

  @Test
  void aBufferedValueReachesItsStreamInOneCallWithItsBytesOnly() throws Exception {
    Calls out = new Calls();
    for (int n : new int[] {300, 5, 0, 70_000, 12}) { // past the first capacity, below it, past the kept size, after it
      byte[] value = bytes(n, n);
      EncodingBuffer.buffered(out, buffer -> byByte(value, buffer));
      assertArrayEquals(value, out.calls.get(out.calls.size() - 1), "one call with the value's bytes: " + n);
    }
    assertEquals(5, out.calls.size());

    // inside another coder's buffer, a value is written into that buffer, after what it holds
    EncodingBuffer outer = new EncodingBuffer(4);
    outer.write(7);
    EncodingBuffer.buffered(outer, buffer -> byByte(bytes(40, 1), buffer));
    byte[] expected = new byte[41];
    expected[0] = 7;
    System.arraycopy(bytes(40, 1), 0, expected, 1, 40);
    assertArrayEquals(expected, Arrays.copyOf(outer.array(), outer.size()));

    // a value written to another stream while one is being buffered gets a buffer of its own
    Calls first = new Calls();
    Calls second = new Calls();
    EncodingBuffer.buffered(first, buffer -> {
      byByte(bytes(20, 2), buffer);
      EncodingBuffer.buffered(second, inner -> byByte(bytes(30, 3), inner));
      byByte(bytes(10, 4), buffer);
    });
    byte[] both = new byte[30];
    System.arraycopy(bytes(20, 2), 0, both, 0, 20);
    System.arraycopy(bytes(10, 4), 0, both, 20, 10);
    assertEquals(1, first.calls.size());
    assertArrayEquals(both, first.calls.get(0));
    assertEquals(1, second.calls.size());
    assertArrayEquals(bytes(30, 3), second.calls.get(0));

    // a value whose encoding fails writes nothing, and the next one is whole
    Calls failing = new Calls();
    assertThrows(java.io.IOException.class, () -> EncodingBuffer.buffered(failing, buffer -> {
      byByte(bytes(9, 5), buffer);
      throw new java.io.IOException("not encodable");
    }));
    EncodingBuffer.buffered(failing, buffer -> byByte(bytes(3, 6), buffer));
    assertEquals(1, failing.calls.size());
    assertArrayEquals(bytes(3, 6), failing.calls.get(0));
  }
}
