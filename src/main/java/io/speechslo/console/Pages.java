package io.speechslo.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;

/** The HTML around a view's data, and the error page. No template engine: two small pages. */
final class Pages {

    private Pages() {}

    private static String head(String title) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + escape(title) + " · Speech SLO Advisor</title>"
                + "<link rel=\"icon\" href=\"data:,\">"
                + "<link rel=\"stylesheet\" href=\"/assets/uPlot.min.css\">"
                + "<link rel=\"stylesheet\" href=\"/assets/console.css\"></head>\n";
    }

    private static String nav(String current) {
        StringBuilder sb = new StringBuilder("<header><a class=\"brand\" href=\"/executive\">Speech SLO Advisor</a><nav>");
        for (String v : Views.VIEWS) {
            sb.append("<a data-view=\"").append(v).append("\" href=\"/").append(v).append("\"")
                    .append(v.equals(current) ? " class=\"current\"" : "").append('>')
                    .append(Character.toUpperCase(v.charAt(0))).append(v.substring(1)).append("</a>");
        }
        return sb.append("</nav></header>\n").toString();
    }

    static String view(ObjectNode data, Duration refresh) {
        String json;
        try {
            json = Blocks.JSON.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String title = data.path("title").asText();
        return head(title) + "<body>" + nav(data.path("view").asText())
                + "<div id=\"status\" class=\"status\" hidden></div>"
                + "<main><h1 id=\"title\">" + escape(title) + "</h1>"
                + "<form id=\"filters\" class=\"filters\"></form>"
                + "<div id=\"updated\" class=\"updated\"></div>"
                + "<div id=\"content\"></div></main>\n"
                + "<script id=\"data\" type=\"application/json\">" + json.replace("</", "<\\/") + "</script>\n"
                + "<script>window.CONSOLE_REFRESH_MS = " + refresh.toMillis() + ";</script>\n"
                + "<script src=\"/assets/uPlot.iife.min.js\"></script>\n"
                + "<script src=\"/assets/console.js\"></script>\n"
                + "</body></html>\n";
    }

    static String error(int code, String title, String message) {
        return head(title) + "<body>" + nav("") + "<main class=\"error\"><h1 id=\"error-title\">" + code + " "
                + escape(title) + "</h1><p id=\"error-message\">" + escape(message) + "</p>"
                + "<p><a href=\"/executive\">Back to the executive view</a></p></main></body></html>\n";
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
