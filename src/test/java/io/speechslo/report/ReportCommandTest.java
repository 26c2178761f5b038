package io.speechslo.report;

import io.speechslo.cli.Main;
import io.speechslo.telemetry.AsrRequest;

import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input to {@code report} fails before any replay: exit 2, a message naming the flag, no report. */
class ReportCommandTest {

    @TempDir
    Path dir;

    private String[] run(String... argv) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("report"));
        args.addAll(List.of(argv));
        int code = Main.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {String.valueOf(code), err.toString(StandardCharsets.UTF_8)};
    }

    private Path emptyInput() throws Exception {
        Path f = dir.resolve("empty.avro");
        try (DataFileWriter<AsrRequest> w = new DataFileWriter<>(new SpecificDatumWriter<>(AsrRequest.class))) {
            w.create(AsrRequest.getClassSchema(), f.toFile());
        }
        return f;
    }

    @Test
    void emptyInputFailsNamingTheFlag() throws Exception {
        String[] r = run("--input", emptyInput().toString(), "--out", dir.resolve("out").toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("report: --input").contains("empty input");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aTryConfigThatDoesNotLoadFailsNamingTheFlag() throws Exception {
        Path broken = dir.resolve("broken");
        ReportITCase.copy(Path.of("job"), broken);
        Files.writeString(broken.resolve("gates/default.yaml"), "apiVersion: speechslo.io/v1\nkind: ReleaseGatePolicy\nspec: [\n");
        String[] r = run("--input", emptyInput().toString(), "--try-config", broken.toString(), "--out",
                dir.resolve("out").toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).startsWith("report: --try-config " + broken).contains("default.yaml");
        r = run("--input", emptyInput().toString(), "--try-config", dir.resolve("nowhere").toString(), "--out",
                dir.resolve("out").toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).startsWith("report: --try-config " + dir.resolve("nowhere"));
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void malformedIncidentWindowsFailNamingTheFlag() throws Exception {
        String in = emptyInput().toString();
        String out = dir.resolve("out").toString();
        String[] r = run("--input", in, "--incident", "2026-01-12T09:00:00Z", "--out", out);
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("--incident").contains("START/END");
        r = run("--input", in, "--incident", "2026-01-12T10:00:00Z/2026-01-12T09:00:00Z", "--out", out);
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("--incident").contains("END must be after START");
        r = run("--input", in, "--incident", "yesterday/today", "--out", out);
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).startsWith("report: --incident 'yesterday'");
        r = run("--from-kafka", "--start", "2026-01-12T08:00:00Z", "--end", "2026-01-12T12:00:00Z", "--incident",
                "2026-01-13T09:00:00Z/2026-01-13T10:00:00Z", "--out", out);
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("--incident").contains("outside the data");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void usageErrors() {
        assertThat(run("--out", dir.resolve("out").toString())[1]).contains("either --input");
        assertThat(run("--input", "x")[1]).contains("--out is required");
        String[] r = run("--input", dir.resolve("missing").toString(), "--out", dir.resolve("out").toString());
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).startsWith("report: --input").contains("no such file or folder");
    }
}
