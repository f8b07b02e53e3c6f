package dev.cutover.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.PrintStream;
import java.util.List;

/**
 * Everything the command line prints goes through here, so no text from the server reaches a terminal with a
 * control character in it (an escape sequence in a reason could rewrite the screen, a bidi override could reverse a
 * line): human lines lose them, JSON keeps them as {@code \\uXXXX} escapes (the same string to a JSON reader). No
 * colours: output is the same on a terminal and in a pipe. Not thread-safe (one command, one thread).
 */
final class Terminal {
    private final PrintStream out;
    private final PrintStream err;
    private final ObjectMapper mapper;

    Terminal(PrintStream out, PrintStream err, ObjectMapper mapper) {
        this.out = out;
        this.err = err;
        this.mapper = mapper;
    }

    void line(String text) {
        out.println(safe(text));
    }

    void error(String text) {
        err.println(safe(text));
    }

    /** {@code label} padded to {@code width}, then the value: the aligned "key  value" lines of the human output. */
    void field(String label, int width, String value) {
        line(String.format("%-" + width + "s  %s", label, value));
    }

    /** Rows printed as columns two spaces apart, each as wide as its widest cell, indented by two spaces. */
    void table(List<List<String>> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], safe(row.get(i)).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = safe(row.get(i));
                line.append("  ").append(i == columns - 1 ? cell : pad(cell, widths[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    void json(JsonNode node) {
        try {
            // Built here, not up front: a command printing text never loads the serialisers.
            ObjectWriter pretty = mapper.writer().with(new SafeEscapes()).withDefaultPrettyPrinter();
            out.println(pretty.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always writes", e);
        }
    }

    private static String pad(String cell, int width) {
        return cell.length() >= width ? cell : cell + " ".repeat(width - cell.length());
    }

    /**
     * The text without control characters (C0, DEL, C1) or bidirectional overrides; tabs and line breaks become a
     * space, so one server value stays on its line.
     */
    static String safe(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder clean = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == '\t' || cp == '\n' || cp == '\r') {
                clean.append(' ');
            } else if (!unsafe(cp)) {
                clean.appendCodePoint(cp);
            }
        });
        return clean.toString();
    }

    static boolean unsafe(int cp) {
        return Character.getType(cp) == Character.CONTROL || cp == 0x061C || cp == 0x200E || cp == 0x200F
                || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    }

    /** JSON's own escapes, plus {@code \\uXXXX} for DEL, C1 controls and bidi overrides, which JSON lets through. */
    static final class SafeEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

        SafeEscapes() {
            ascii[0x7F] = CharacterEscapes.ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return unsafe(ch) ? new SerializedString(String.format("\\u%04x", ch)) : null;
        }
    }
}
