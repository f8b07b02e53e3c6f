package dev.cutover.transcription.whisper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a generated test model says, as whisper.cpp tokens for an English-only (51,864 token) vocabulary: one
 * vocabulary entry per distinct word (with its leading space) after the {@code " "} token whisper.cpp needs for
 * blank suppression, and the script the decoder emits after {@code <|startoftranscript|>}:
 * {@code <|0.00|> words... <|30.00|> <|endoftext|>}. Position {@code j} of the script is what the decoder predicts
 * at text position {@code j}.
 */
public record ScriptedSentence(String sentence, List<String> vocabulary, int[] script) {
    static final int TOKEN_EOT = 50256;
    static final int TOKEN_BEGIN_TIMESTAMPS = 50363;
    /** {@code <|30.00|>}: ends each segment at the end of its 30 s window so the next window starts cleanly. */
    static final int TOKEN_END_OF_WINDOW = TOKEN_BEGIN_TIMESTAMPS + 1500;

    public ScriptedSentence {
        vocabulary = List.copyOf(vocabulary);
        script = script.clone();
    }

    /** Splits on white space; every word becomes one token. Words must be plain printable text. */
    public static ScriptedSentence of(String sentence) {
        String[] words = sentence.trim().split("\\s+");
        if (sentence.isBlank()) {
            throw new IllegalArgumentException("The sentence must contain at least one word");
        }
        Map<String, Integer> ids = new LinkedHashMap<>();
        ids.put(" ", 0);
        List<Integer> script = new ArrayList<>();
        script.add(TOKEN_BEGIN_TIMESTAMPS);
        for (String word : words) {
            if (!word.codePoints().allMatch(c -> c > ' ' && c < 0x10000 && !Character.isISOControl(c))) {
                throw new IllegalArgumentException("Unsupported character in word '" + word + "'");
            }
            script.add(ids.computeIfAbsent(" " + word, token -> ids.size()));
        }
        script.add(TOKEN_END_OF_WINDOW);
        script.add(TOKEN_EOT);
        return new ScriptedSentence(String.join(" ", words), new ArrayList<>(ids.keySet()),
                script.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The text whisper.cpp returns for one segment, trimmed. */
    public String expectedText() {
        return sentence;
    }

    @Override
    public int[] script() {
        return script.clone();
    }
}
