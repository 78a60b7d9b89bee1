package io.featurepipe.transforms.record;

import java.nio.charset.StandardCharsets;

/**
 * Strings as bytes without loss: UTF-8, except that an unpaired surrogate (which Java strings may
 * hold and UTF-8 cannot express) is written as the three-byte form of its code unit ("WTF-8").
 * {@code String.getBytes(UTF_8)} would turn it into {@code '?'}, so two different strings could
 * encode alike and be merged as one key. For strings without unpaired surrogates this is exactly
 * UTF-8.
 */
public final class Wtf8 {
  private Wtf8() {}

  /**
   * The index of the first unpaired surrogate in {@code s} (a high surrogate not followed by a low
   * one, or a low one not after a high one), or -1 when {@code s} is Unicode text. Sources refuse
   * such strings (the offline store's Avro strings are UTF-8, which cannot hold them).
   */
  public static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /** The encoded length of {@code s}. */
  public static int length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Writes {@code s} into {@code buf} at {@code pos}; returns the position after it. */
  public static int encode(String s, byte[] buf, int pos) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        buf[pos++] = (byte) c;
      } else if (c < 0x800) {
        buf[pos++] = (byte) (0xC0 | (c >> 6));
        buf[pos++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        buf[pos++] = (byte) (0xF0 | (cp >> 18));
        buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        buf[pos++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        buf[pos++] = (byte) (0xE0 | (c >> 12));
        buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        buf[pos++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return pos;
  }

  public static byte[] encode(String s) {
    byte[] buf = new byte[length(s)];
    encode(s, buf, 0);
    return buf;
  }

  /** Reads what {@link #encode} wrote. */
  public static String decode(byte[] bytes) {
    if (!hasSurrogate(bytes)) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    StringBuilder b = new StringBuilder(bytes.length);
    int i = 0;
    while (i < bytes.length) {
      int b0 = bytes[i] & 0xFF;
      if (b0 < 0x80) {
        b.append((char) b0);
        i++;
      } else if (b0 < 0xE0) {
        b.append((char) (((b0 & 0x1F) << 6) | (bytes[i + 1] & 0x3F)));
        i += 2;
      } else if (b0 < 0xF0) {
        b.append((char) (((b0 & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F)));
        i += 3;
      } else {
        int cp =
            ((b0 & 0x07) << 18)
                | ((bytes[i + 1] & 0x3F) << 12)
                | ((bytes[i + 2] & 0x3F) << 6)
                | (bytes[i + 3] & 0x3F);
        b.appendCodePoint(cp);
        i += 4;
      }
    }
    return b.toString();
  }

  /** Whether the bytes hold an encoded surrogate (ED A0..BF ..), which plain UTF-8 decoding would replace. */
  private static boolean hasSurrogate(byte[] bytes) {
    for (int i = 0; i + 1 < bytes.length; i++) {
      if ((bytes[i] & 0xFF) == 0xED && (bytes[i + 1] & 0xFF) >= 0xA0) {
        return true;
      }
    }
    return false;
  }
}
