package io.speechslo.http;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Where this project makes its HTTP servers (the console, the registry stand-in): the JDK's
 * {@link HttpServer} with TCP_NODELAY on. Without it every answer waits about 40 ms for the client's
 * delayed ACK. The JDK reads the setting ({@code sun.net.httpserver.nodelay}) once per JVM, when its
 * first server is made, so every server of this project is made here: one made elsewhere first (a
 * console before a stand-in in the same JVM) would leave all of them without it.
 */
public final class HttpServers {

    private HttpServers() {}

    /** {@link HttpServer#create(InetSocketAddress, int)}, with TCP_NODELAY unless the JVM was told otherwise. */
    public static HttpServer create(InetSocketAddress address, int backlog) throws IOException {
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
        return HttpServer.create(address, backlog);
    }
}
