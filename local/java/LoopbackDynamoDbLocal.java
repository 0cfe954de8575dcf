import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.List;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.HandlerWrapper;

/**
 * DynamoDB Local bound to 127.0.0.1 only, refusing a foreign Host or Origin. DynamoDB Local has no
 * option for the address it listens on (its Jetty server is created with a port only, on every
 * interface), so this runs it from its own command-line parser, sets the host of its connectors
 * before it starts, and puts a check in front of its handler: a web page that rebinds its own
 * name to 127.0.0.1 sends its own name as the Host, and is refused. Run with Java's source-file
 * mode or compiled: java -cp DynamoDBLocal.jar:DynamoDBLocal_lib/* LoopbackDynamoDbLocal ...
 *
 * With -exitWithParent (first argument), it exits when its standard input ends: the process that
 * started it holds the other end of that pipe, and the system closes it however that process ends
 * (Ctrl-C, a kill, a crash), so no DynamoDB Local outlives the tests or local mode that started it.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("-exitWithParent")) {
      args = java.util.Arrays.copyOfRange(args, 1, args.length);
      Thread watch =
          new Thread(
              () -> {
                try {
                  while (System.in.read() != -1) {}
                } catch (IOException ignored) {
                  // A broken pipe means the parent is gone too.
                }
                System.exit(0);
              });
      watch.setDaemon(true);
      watch.start();
    }
    String port = "8000";
    for (int i = 0; i + 1 < args.length; i++) if (args[i].equals("-port")) port = args[i + 1];
    List<String> hosts = List.of("127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port);

    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    HandlerWrapper guard =
        new HandlerWrapper() {
          @Override
          public void handle(
              String target, Request base, HttpServletRequest request, HttpServletResponse response)
              throws IOException, ServletException {
            String host = request.getHeader("Host");
            String origin = request.getHeader("Origin");
            boolean ownHost = host != null && hosts.contains(host.toLowerCase());
            boolean ownOrigin = origin == null || hosts.contains(origin.toLowerCase().replaceFirst("^http://", ""));
            if (!ownHost || !ownOrigin) {
              base.setHandled(true);
              response.sendError(403, ownHost ? "foreign Origin" : "foreign Host");
              return;
            }
            super.handle(target, base, request, response);
          }
        };
    guard.setHandler(server.getHandler());
    server.setHandler(guard);
    proxy.start();
    proxy.join();
  }
}
