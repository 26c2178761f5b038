package io.speechslo.policy.load;

import java.util.List;
import java.util.regex.Pattern;

/** Checks shared by every policy document: the apiVersion/kind header and metadata. */
final class Documents {

    static final String OPENSLO = "openslo/v1";
    static final String SPEECHSLO = "speechslo.io/v1";

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private Documents() {}

    /** Checks the top-level keys, apiVersion and kind; returns the kind. */
    static String header(YamlNode doc, String apiVersion, List<String> kinds) {
        doc.allow("apiVersion", "kind", "metadata", "spec");
        YamlNode api = doc.req("apiVersion");
        if (!api.text().equals(apiVersion)) {
            throw api.fail("unknown apiVersion '" + api.text() + "' (this file takes " + apiVersion + ")");
        }
        YamlNode kind = doc.req("kind");
        if (!kinds.contains(kind.text())) {
            throw kind.fail("unknown kind '" + kind.text() + "' (this file takes " + String.join(", ", kinds) + ")");
        }
        return kind.text();
    }

    /**
     * The metadata.name of a document (lower-case letters, digits and dashes). Labels and annotations
     * are allowed; the caller reads the annotations it knows.
     */
    static YamlNode name(YamlNode metadata) {
        metadata.allow("name", "displayName", "labels", "annotations");
        YamlNode name = metadata.req("name");
        if (!NAME.matcher(name.text()).matches()) {
            throw name.fail("'" + name.text() + "' is not a valid name (lower-case letters, digits and '-', e.g. asr-availability)");
        }
        if (metadata.has("displayName")) {
            metadata.get("displayName").text();
        }
        return name;
    }

    static String displayName(YamlNode metadata) {
        YamlNode d = metadata.get("displayName");
        return d == null ? metadata.get("name").text() : d.text();
    }
}
