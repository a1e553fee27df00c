package dev.lowlight.api.testing;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds calls of {@code NDArray.mul/div/pow/maximum/minimum(Number)} in compiled classes.
 *
 * <p>Why: DJL's PyTorch engine wraps the number in a tensor over a Java buffer that is freed once
 * collected, while autograd keeps that tensor for the backward pass of these five operations;
 * gradients then read freed memory (see {@code dev.lowlight.api.nn.Scalars}). The audit reads the
 * constant pool of each class file, where every method a class calls is named with its descriptor,
 * so it needs no bytecode library and cannot miss a call site.
 *
 * <pre>{@code
 * assertThat(ScalarOperandAudit.scan(ScalarOperandAudit.codeSource(MyDenoiser.class))).isEmpty();
 * }</pre>
 */
public final class ScalarOperandAudit {

  /** Operations whose backward pass reads the scalar operand. */
  public static final Set<String> OPERATIONS = Set.of("mul", "div", "pow", "maximum", "minimum");

  private static final String NUMBER_OPERAND = "(Ljava/lang/Number;)";

  private ScalarOperandAudit() {}

  /** The jar or class directory {@code type} was loaded from. */
  public static Path codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("no code source for " + type.getName(), e);
    }
  }

  /**
   * Every offending call in the classes under {@code root} (a class directory or a jar), as
   * {@code "com/example/Block.class calls mul(Number)"}, sorted.
   */
  public static List<String> scan(Path root) throws IOException {
    Set<String> found = new TreeSet<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
          String name = root.relativize(p).toString().replace('\\', '/');
          offending(Files.readAllBytes(p)).forEach(op -> found.add(name + " calls " + op + "(Number)"));
        }
      }
    } else {
      try (JarFile jar = new JarFile(root.toFile())) {
        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
          JarEntry entry = e.nextElement();
          if (entry.getName().endsWith(".class")) {
            try (InputStream in = jar.getInputStream(entry)) {
              offending(in.readAllBytes()).forEach(op -> found.add(entry.getName() + " calls " + op + "(Number)"));
            }
          }
        }
      }
    }
    return new ArrayList<>(found);
  }

  /** The offending operations that one class file's constant pool names. */
  public static Set<String> offending(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort();
    in.readUnsignedShort();
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    List<int[]> nameAndTypes = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 3, 4 -> in.readInt();
        case 5, 6 -> {
          in.readLong();
          i++; // long and double take two slots
        }
        case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
        case 9, 10, 11, 17, 18 -> in.readInt();
        case 12 -> nameAndTypes.add(new int[] {in.readUnsignedShort(), in.readUnsignedShort()});
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        default -> throw new IOException("unknown constant pool tag " + tag);
      }
    }
    Set<String> ops = new TreeSet<>();
    for (int[] nt : nameAndTypes) {
      if (OPERATIONS.contains(utf8[nt[0]]) && utf8[nt[1]].startsWith(NUMBER_OPERAND)) {
        ops.add(utf8[nt[0]]);
      }
    }
    return ops;
  }
}
