package dev.lowlight.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Help text that reads whole. A command's description is written as lines of one paragraph; picocli
 * would print each line on its own and wrap it again with a line breaker that splits words at
 * dots ({@code metrics.} / {@code jsonl}), and its command list would show only the first line, cut
 * mid-sentence. Here each description is joined into one paragraph and wrapped at spaces only, and
 * the command list shows each command's first whole sentence.
 */
final class HelpText {

  private HelpText() {}

  /** Rewraps the descriptions of {@code cl} and its subcommands and installs the command list. */
  static void apply(CommandLine cl) {
    int width = cl.getUsageHelpWidth();
    CommandSpec spec = cl.getCommandSpec();
    String paragraph = paragraph(spec.usageMessage().description());
    // picocli's own help command formats its text itself (with %n line breaks)
    if (!paragraph.isEmpty() && !paragraph.contains("%n")) {
      spec.usageMessage().description(wrap(paragraph, width).toArray(String[]::new));
    }
    if (!cl.getSubcommands().isEmpty()) {
      cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpText::commandList);
    }
    for (CommandLine sub : new java.util.LinkedHashSet<>(cl.getSubcommands().values())) {
      apply(sub);
    }
  }

  /** {@code  name  First sentence of its description,} wrapped with continuation lines indented. */
  private static String commandList(CommandLine.Help help) {
    Map<String, CommandLine.Help> subs = help.subcommands();
    if (subs.isEmpty()) {
      return "";
    }
    int nameWidth = subs.keySet().stream().mapToInt(String::length).max().orElse(0);
    int width = help.commandSpec().usageMessage().width();
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, CommandLine.Help> e : subs.entrySet()) {
      var usage = e.getValue().commandSpec().usageMessage();
      String text = usage.header().length > 0 ? paragraph(usage.header()) : firstSentence(paragraph(usage.description()));
      List<String> lines = wrap(text, Math.max(20, width - nameWidth - 6));
      String pad = " ".repeat(nameWidth + 4);
      out.append("  ").append(String.format("%-" + nameWidth + "s", e.getKey())).append("  ")
          .append(lines.isEmpty() ? "" : lines.get(0)).append(System.lineSeparator());
      for (int i = 1; i < lines.size(); i++) {
        out.append(pad).append("  ").append(lines.get(i)).append(System.lineSeparator());
      }
    }
    return out.toString();
  }

  /** The description's lines as one paragraph. */
  static String paragraph(String[] lines) {
    return String.join(" ", lines).replaceAll("\\s+", " ").strip();
  }

  /** Up to the first full stop that ends a sentence (not one of "e.g." or "i.e."). */
  static String firstSentence(String text) {
    for (int i = text.indexOf(". "); i >= 0; i = text.indexOf(". ", i + 1)) {
      String before = text.substring(0, i + 1);
      if (!before.endsWith("e.g.") && !before.endsWith("i.e.") && Character.isUpperCase(text.charAt(i + 2))) {
        return before;
      }
    }
    return text;
  }

  /** Lines of at most {@code width} characters, broken at spaces only (a longer word stays whole). */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (word.isEmpty()) {
        continue;
      }
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }
}
