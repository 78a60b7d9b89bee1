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
}
