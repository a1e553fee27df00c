package dev.lowlight.data.image;

import java.util.zip.CRC32;

/**
 * Whether encoded image data is complete and intact. Decoders do not say: libjpeg (under OpenCV
 * and ImageIO) fills a JPEG cut in half with grey and decodes flipped bytes into blocks of garbage
 * with at most a warning on the native standard error, so a damaged image would be trained on or
 * predicted on without a word.
 *
 * <ul>
 *   <li>PNG: every chunk is complete and its CRC matches, and the image ends with {@code IEND}.
 *   <li>JPEG: the marker segments are well formed and the image ends with its end-of-image marker;
 *       for sequential Huffman-coded JPEG (baseline, as cameras and COCO write them) the entropy-coded
 *       data is decoded symbol by symbol (no inverse transform): every block must decode with the
 *       image's Huffman tables, restart markers must come in order, and each scan must end exactly
 *       where its data ends. Progressive and arithmetic-coded JPEGs get the structural check only.
 *   <li>GIF: the trailer byte is there. BMP: the pixel array fits the file. WebP: the RIFF size fits.
 * </ul>
 */
final class ImageIntegrity {

  private ImageIntegrity() {}

  /** @throws ImageReadException naming {@code source} and what is wrong */
  static void check(byte[] data, ImageHeader header, String source) {
    switch (header.format()) {
      case "PNG" -> png(data, source);
      case "JPEG" -> new Jpeg(data, source).check();
      case "GIF" -> {
        if (data[data.length - 1] != 0x3B) {
          throw new ImageReadException(source, "truncated GIF: no trailer byte at its end");
        }
      }
      case "BMP" -> bmp(data, header, source);
      case "WebP" -> {
        if (ImageHeader.u32le(data, 4) + 8 > data.length) {
          throw new ImageReadException(source, "truncated WebP: the file has " + data.length + " bytes, its header says "
              + (ImageHeader.u32le(data, 4) + 8));
        }
      }
      default -> {
        // ImageIO's other formats: its reader reports what it notices
      }
    }
  }

  private static void png(byte[] d, String source) {
    int p = 8;
    CRC32 crc = new CRC32();
    while (true) {
      if (p + 12 > d.length) {
        throw new ImageReadException(source, "truncated PNG: the file ends at byte " + d.length
            + " without its IEND chunk");
      }
      long len = ImageHeader.u32be(d, p);
      String type = new String(d, p + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
      if (len > d.length - p - 12L) {
        throw new ImageReadException(source, "truncated PNG: chunk " + type + " at byte " + p + " needs " + len
            + " bytes, the file has " + (d.length - p - 12) + " left");
      }
      crc.reset();
      crc.update(d, p + 4, (int) len + 4);
      if (crc.getValue() != ImageHeader.u32be(d, p + 8 + (int) len)) {
        throw new ImageReadException(source, "corrupt PNG: the checksum of chunk " + type + " at byte " + p
            + " does not match its data");
      }
      if (type.equals("IEND")) {
        return;
      }
      p += 12 + (int) len;
    }
  }

  private static void bmp(byte[] d, ImageHeader h, String source) {
    if (d.length < 34) {
      throw new ImageReadException(source, "truncated BMP: " + d.length + " bytes is shorter than its header");
    }
    long offset = ImageHeader.u32le(d, 10);
    int bpp = (d[28] & 0xFF) | (d[29] & 0xFF) << 8;
    long compression = ImageHeader.u32le(d, 30);
    if (compression == 0 && bpp > 0) {
      long row = (h.width() * bpp + 31) / 32 * 4;
      if (offset + row * h.height() > d.length) {
        throw new ImageReadException(source, "truncated BMP: its " + h.width() + "x" + h.height() + " pixels need "
            + (offset + row * h.height()) + " bytes, the file has " + d.length);
      }
    }
  }

  /** The JPEG checks, on one file. */
  private static final class Jpeg {
    private final byte[] d;
    private final String source;
    private final Huffman[] dc = new Huffman[4];
    private final Huffman[] ac = new Huffman[4];
    /** Quantisation tables in zig-zag order, by table number. */
    private final int[][] quant = new int[4][];
    private int restartInterval;
    private Frame frame;
    private boolean scanned;

    Jpeg(byte[] d, String source) {
      this.d = d;
      this.source = source;
    }

    private ImageReadException corrupt(String what) {
      return new ImageReadException(source, "corrupt JPEG: " + what);
    }

    private ImageReadException truncated(String what) {
      return new ImageReadException(source, "truncated JPEG: " + what);
    }

    void check() {
      int p = 2;
      while (true) {
        if (p >= d.length) {
          throw truncated("the file ends at byte " + d.length + " without its end-of-image marker");
        }
        if ((d[p] & 0xFF) != 0xFF) {
          throw corrupt("expected a marker at byte " + p + ", found data");
        }
        while (p < d.length && (d[p] & 0xFF) == 0xFF) {
          p++;
        }
        if (p >= d.length) {
          throw truncated("the file ends inside a marker");
        }
        int m = d[p++] & 0xFF;
        if (m == 0xD9) {
          if (frame == null || !scanned) {
            throw corrupt("it ends before any image data");
          }
          return; // bytes after the end of the image (camera trailers) are not the image
        }
        if (m == 0xD8 || m >= 0xD0 && m <= 0xD7 || m == 0x01 || m == 0x00) {
          throw corrupt("unexpected marker 0xFF" + Integer.toHexString(m).toUpperCase(java.util.Locale.ROOT)
              + " at byte " + (p - 2));
        }
        if (p + 2 > d.length) {
          throw truncated("the file ends inside a segment header");
        }
        int len = ImageHeader.u16be(d, p);
        if (len < 2) {
          throw corrupt("a segment at byte " + (p - 2) + " has length " + len);
        }
        if (p + len > d.length) {
          throw truncated("a segment at byte " + (p - 2) + " needs " + len + " bytes, the file has " + (d.length - p)
              + " left");
        }
        int s = p + 2;
        int e = p + len;
        if (ImageHeader.isFrame(m)) {
          frame = Frame.read(d, s, e, m, this);
        } else if (m == 0xC4) {
          huffmanTables(s, e);
        } else if (m == 0xDB) {
          quantTables(s, e);
        } else if (m == 0xDD) {
          if (len != 4) {
            throw corrupt("a restart-interval segment of length " + len);
          }
          restartInterval = ImageHeader.u16be(d, s);
        } else if (m == 0xDA) {
          if (frame == null) {
            throw corrupt("image data before the frame header");
          }
          p = scan(s, e);
          scanned = true;
          continue;
        }
        p = e;
      }
    }

    private void huffmanTables(int s, int e) {
      int p = s;
      while (p < e) {
        int tcTh = d[p] & 0xFF;
        int tc = tcTh >> 4;
        int th = tcTh & 15;
        if (tc > 1 || th > 3 || p + 17 > e) {
          throw corrupt("a Huffman table definition is malformed");
        }
        int[] counts = new int[17];
        int total = 0;
        for (int l = 1; l <= 16; l++) {
          counts[l] = d[p + l] & 0xFF;
          total += counts[l];
        }
        if (p + 17 + total > e || total > 256) {
          throw corrupt("a Huffman table has more symbols than its segment holds");
        }
        int[] symbols = new int[total];
        for (int i = 0; i < total; i++) {
          symbols[i] = d[p + 17 + i] & 0xFF;
        }
        (tc == 0 ? dc : ac)[th] = new Huffman(counts, symbols);
        p += 17 + total;
      }
    }

    private void quantTables(int s, int e) {
      int p = s;
      while (p < e) {
        int pqTq = d[p] & 0xFF;
        int wide = pqTq >> 4;
        int tq = pqTq & 15;
        int size = 1 + 64 * (wide + 1);
        if (wide > 1 || tq > 3 || p + size > e) {
          throw corrupt("a quantisation table definition is malformed");
        }
        int[] q = new int[64];
        for (int k = 0; k < 64; k++) {
          q[k] = wide == 0 ? d[p + 1 + k] & 0xFF : ImageHeader.u16be(d, p + 1 + 2 * k);
        }
        quant[tq] = q;
        p += size;
      }
    }

    /** Checks one scan; returns where its entropy-coded data ends (the next marker). */
    private int scan(int s, int e) {
      int n = d[s] & 0xFF;
      if (n < 1 || n > 4 || s + 1 + 2 * n + 3 != e) {
        throw corrupt("a scan header is malformed");
      }
      int[] comps = new int[n];
      int[] tdc = new int[n];
      int[] tac = new int[n];
      for (int i = 0; i < n; i++) {
        comps[i] = frame.index(d[s + 1 + 2 * i] & 0xFF, this);
        tdc[i] = (d[s + 2 + 2 * i] & 0xFF) >> 4;
        tac[i] = d[s + 2 + 2 * i] & 15;
      }
      if (!frame.sequentialHuffman()) {
        return skipEntropy(e);
      }
      for (int i = 0; i < n; i++) {
        if (tdc[i] > 3 || tac[i] > 3 || dc[tdc[i]] == null || ac[tac[i]] == null) {
          throw corrupt("a scan uses a Huffman table that is not defined");
        }
      }
      Bits bits = new Bits(d, e, this);
      long units;
      int[] blocksPerUnit = new int[n];
      if (n == 1) {
        int c = comps[0];
        long w = ceil(ceil(frame.width * frame.h[c], frame.hmax), 8);
        long h = ceil(ceil(frame.height * frame.v[c], frame.vmax), 8);
        units = w * h;
        blocksPerUnit[0] = 1;
      } else {
        units = ceil(frame.width, 8L * frame.hmax) * ceil(frame.height, 8L * frame.vmax);
        for (int i = 0; i < n; i++) {
          blocksPerUnit[i] = frame.h[comps[i]] * frame.v[comps[i]];
        }
      }
      int[][] q = new int[n][];
      for (int i = 0; i < n; i++) {
        q[i] = quant[frame.tq[comps[i]]];
        if (q[i] == null) {
          throw corrupt("a component uses a quantisation table that is not defined");
        }
      }
      // largest magnitude of a dequantised coefficient: 8 x 2^(precision-1) for DC, twice that for AC
      int limit = 8 << (frame.precision - 1);
      int[] predictor = new int[n];
      int expectedRestart = 0;
      for (long u = 0; u < units; u++) {
        if (restartInterval > 0 && u > 0 && u % restartInterval == 0) {
          bits.restart(0xD0 + expectedRestart);
          expectedRestart = (expectedRestart + 1) & 7;
          java.util.Arrays.fill(predictor, 0);
        }
        for (int i = 0; i < n; i++) {
          for (int b = 0; b < blocksPerUnit[i]; b++) {
            predictor[i] = block(bits, dc[tdc[i]], ac[tac[i]], q[i], predictor[i], limit);
          }
        }
      }
      return bits.end();
    }

    /**
     * Decodes one block's symbols; returns the new DC predictor. Coefficients are checked against
     * what an 8x8 transform of the frame's precision can produce: a flipped byte that leaves the
     * codes decodable still throws the DC (which carries over from block to block) out of range.
     */
    private int block(Bits bits, Huffman dcTable, Huffman acTable, int[] q, int predictor, int limit) {
      int t = bits.decode(dcTable);
      if (t > frame.precision + 3) {
        throw corrupt("a DC difference of category " + t);
      }
      int dcValue = predictor + extend(bits.get(t), t);
      if (Math.abs((long) dcValue * q[0]) > limit + q[0]) {
        throw corrupt("a DC coefficient out of range (" + dcValue + " x " + q[0] + ") near byte " + bits.position());
      }
      for (int k = 1; k < 64; k++) {
        int rs = bits.decode(acTable);
        int r = rs >> 4;
        int size = rs & 15;
        if (size == 0) {
          if (r != 15) {
            return dcValue; // end of block
          }
          k += 15;
        } else {
          k += r;
          if (k > 63 || size > frame.precision + 2) {
            throw corrupt("a block with a coefficient past its 64th or of size " + size);
          }
          int v = extend(bits.get(size), size);
          if (Math.abs((long) v * q[k]) > 2L * limit + q[k]) {
            throw corrupt("an AC coefficient out of range near byte " + bits.position());
          }
        }
        if (k > 63) {
          throw corrupt("a block has more than 64 coefficients");
        }
      }
      return dcValue;
    }

    /** JPEG's EXTEND: {@code size} bits as a signed value. */
    private static int extend(int v, int size) {
      return size == 0 ? 0 : v < 1 << (size - 1) ? v - (1 << size) + 1 : v;
    }

    /** Past entropy-coded data that is not checked here: to the first marker that is neither stuffing nor a restart. */
    private int skipEntropy(int p) {
      while (p + 1 < d.length) {
        if ((d[p] & 0xFF) == 0xFF) {
          int next = d[p + 1] & 0xFF;
          if (next != 0 && !(next >= 0xD0 && next <= 0xD7) && next != 0xFF) {
            return p;
          }
        }
        p++;
      }
      throw truncated("the image data runs to the end of the file without an end-of-image marker");
    }

    private static long ceil(long a, long b) {
      return (a + b - 1) / b;
    }
  }

  /** The frame header: size and components with their sampling factors. */
  private record Frame(int marker, int precision, long width, long height, int[] ids, int[] h, int[] v, int[] tq,
      int hmax, int vmax) {

    static Frame read(byte[] d, int s, int e, int marker, Jpeg jpeg) {
      if (e - s < 6) {
        throw jpeg.corrupt("a frame header is too short");
      }
      long height = ImageHeader.u16be(d, s + 1);
      long width = ImageHeader.u16be(d, s + 3);
      int n = d[s + 5] & 0xFF;
      if (n < 1 || n > 4 || e - s != 6 + 3 * n) {
        throw jpeg.corrupt("a frame header declares " + n + " components in " + (e - s) + " bytes");
      }
      if (height == 0 || width == 0) {
        throw jpeg.corrupt("the frame declares a size of " + width + "x" + height);
      }
      int precision = d[s] & 0xFF;
      if (precision != 8 && precision != 12 && precision != 16 && !(precision >= 2 && precision <= 16)) {
        throw jpeg.corrupt("a frame of precision " + precision);
      }
      int[] ids = new int[n];
      int[] h = new int[n];
      int[] v = new int[n];
      int[] tq = new int[n];
      int hmax = 1;
      int vmax = 1;
      for (int i = 0; i < n; i++) {
        ids[i] = d[s + 6 + 3 * i] & 0xFF;
        h[i] = (d[s + 7 + 3 * i] & 0xFF) >> 4;
        v[i] = d[s + 7 + 3 * i] & 15;
        tq[i] = d[s + 8 + 3 * i] & 0xFF;
        if (tq[i] > 3) {
          throw jpeg.corrupt("a component uses quantisation table " + tq[i]);
        }
        if (h[i] < 1 || h[i] > 4 || v[i] < 1 || v[i] > 4) {
          throw jpeg.corrupt("a component has sampling factors " + h[i] + "x" + v[i]);
        }
        hmax = Math.max(hmax, h[i]);
        vmax = Math.max(vmax, v[i]);
      }
      return new Frame(marker, precision, width, height, ids, h, v, tq, hmax, vmax);
    }

    /** Baseline or extended sequential, Huffman-coded: the kinds whose blocks are checked. */
    boolean sequentialHuffman() {
      return marker == 0xC0 || marker == 0xC1;
    }

    int index(int id, Jpeg jpeg) {
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] == id) {
          return i;
        }
      }
      throw jpeg.corrupt("a scan names component " + id + ", which the frame does not have");
    }
  }

  /** Bits of the look-up of short Huffman codes (most codes of real images are at most 10 bits long). */
  private static final int LOOKUP_BITS = 10;

  /** A Huffman table as decoding needs it (JPEG's F.2.2.3), with a look-up for short codes. */
  private static final class Huffman {
    final int[] maxCode = new int[18];
    final int[] valPtr = new int[17];
    final int[] minCode = new int[17];
    final int[] symbols;
    /** For the next {@link #LOOKUP_BITS} bits: code length << 8 | symbol, or 0 when the code is longer. */
    final int[] lookup = new int[1 << LOOKUP_BITS];

    Huffman(int[] counts, int[] symbols) {
      this.symbols = symbols;
      int code = 0;
      int k = 0;
      for (int l = 1; l <= 16; l++) {
        valPtr[l] = k;
        minCode[l] = code;
        if (counts[l] == 0) {
          maxCode[l] = -1;
        } else {
          for (int i = 0; i < counts[l]; i++) {
            if (l <= LOOKUP_BITS) {
              int first = code << (LOOKUP_BITS - l);
              for (int j = 0; j < 1 << (LOOKUP_BITS - l); j++) {
                lookup[first + j] = l << 8 | symbols[k];
              }
            }
            code++;
            k++;
          }
          maxCode[l] = code - 1;
        }
        code <<= 1;
      }
      maxCode[17] = Integer.MAX_VALUE;
    }
  }

  /** A bit reader over one scan's entropy-coded data, which stops at the first marker. */
  private static final class Bits {
    private final byte[] d;
    private final Jpeg jpeg;
    private int pos;
    private long buf;
    private int count;
    private boolean atMarker;

    Bits(byte[] d, int start, Jpeg jpeg) {
      this.d = d;
      this.pos = start;
      this.jpeg = jpeg;
    }

    private void fill() {
      while (count <= 56 && !atMarker) {
        if (pos >= d.length) {
          atMarker = true;
          return;
        }
        int b = d[pos] & 0xFF;
        if (b == 0xFF) {
          if (pos + 1 < d.length && d[pos + 1] == 0) {
            pos += 2;
          } else {
            atMarker = true;
            return;
          }
        } else {
          pos++;
        }
        buf = buf << 8 | b;
        count += 8;
      }
    }

    /** The next {@code n} bits (n at most 16), padded with ones past the data. */
    private int peek(int n) {
      if (count >= n) {
        return (int) (buf >>> (count - n)) & ((1 << n) - 1);
      }
      fill();
      if (count >= n) {
        return (int) (buf >>> (count - n)) & ((1 << n) - 1);
      }
      int missing = n - count;
      return (int) ((buf << missing) | ((1L << missing) - 1)) & ((1 << n) - 1);
    }

    /** The next {@code n} bits as a number, consumed. */
    int get(int n) {
      if (n == 0) {
        return 0;
      }
      int v = peek(n);
      skip(n);
      return v;
    }

    int position() {
      return pos;
    }

    void skip(int n) {
      if (count >= n) {
        count -= n;
        return;
      }
      fill();
      if (count < n) {
        throw pos >= d.length ? jpeg.truncated("the file ends inside the image data")
            : jpeg.corrupt("the image data ends before its last block (at byte " + pos + ")");
      }
      count -= n;
    }

    int decode(Huffman t) {
      int e = t.lookup[peek(LOOKUP_BITS)];
      if (e != 0) {
        skip(e >> 8);
        return e & 0xFF;
      }
      for (int l = LOOKUP_BITS + 1; l <= 16; l++) {
        int code = peek(l);
        if (code <= t.maxCode[l]) {
          skip(l);
          return t.symbols[t.valPtr[l] + code - t.minCode[l]];
        }
      }
      throw count < 16 && atMarker && pos >= d.length ? jpeg.truncated("the file ends inside the image data")
          : jpeg.corrupt("a code that no Huffman table has, near byte " + pos);
    }

    /** Expects the restart marker {@code marker} after the padding of the last byte. */
    void restart(int marker) {
      fill();
      if (count >= 8 || !atMarker) {
        throw jpeg.corrupt("bytes left over before a restart marker (near byte " + pos + ")");
      }
      if (pos + 1 >= d.length) {
        throw jpeg.truncated("the file ends inside the image data");
      }
      if ((d[pos + 1] & 0xFF) != marker) {
        throw jpeg.corrupt("expected restart marker " + (marker - 0xD0) + " at byte " + pos + ", found 0xFF"
            + Integer.toHexString(d[pos + 1] & 0xFF).toUpperCase(java.util.Locale.ROOT));
      }
      pos += 2;
      buf = 0;
      count = 0;
      atMarker = false;
    }

    /** Where the scan's data ends; it must end with the last block (a partial byte of padding at most). */
    int end() {
      fill();
      if (count >= 8 || !atMarker) {
        throw jpeg.corrupt("data left over after the last block of a scan (near byte " + pos + ")");
      }
      if (pos >= d.length) {
        throw jpeg.truncated("the file ends without an end-of-image marker");
      }
      return pos;
    }
  }
}
