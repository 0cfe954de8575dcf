// Signs an administration request with HTTP Message Signatures (RFC 9421, hmac-sha256, with
// Content-Digest per RFC 9530) using the JDK only (Java 17), and sends it.
// Usage: VIGIL_URL=https://... BANK_ID=acme-bank ADMIN_KEY=vadm_... ADMIN_KEY_ID=adm_... \
//        java SignAdminRequest.java METHOD PATH [BODY_FILE]    e.g. PUT /thresholds thresholds.json
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class SignAdminRequest {
  public static void main(String[] args) throws Exception {
    String method = args[0];
    byte[] body = args.length > 2 ? Files.readAllBytes(Path.of(args[2])) : null;
    URI uri = URI.create(System.getenv("VIGIL_URL") + "/v1/banks/" + System.getenv("BANK_ID") + args[1]);
    int defaultPort = uri.getScheme().equals("https") ? 443 : 80;
    String authority = uri.getHost().toLowerCase() + (uri.getPort() == -1 || uri.getPort() == defaultPort ? "" : ":" + uri.getPort());

    List<String> components = new ArrayList<>(List.of("\"@method\"", "\"@authority\"", "\"@path\"", "\"@query\""));
    List<String> lines = new ArrayList<>(List.of(
        "\"@method\": " + method,
        "\"@authority\": " + authority,
        "\"@path\": " + uri.getRawPath(),
        "\"@query\": ?" + (uri.getRawQuery() == null ? "" : uri.getRawQuery())));
    String digest = null;
    if (body != null) {
      digest = "sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body)) + ":";
      components.add("\"content-digest\"");
      lines.add("\"content-digest\": " + digest);
    }
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(random); // new for every request; reuse it only to retry
    String params = "(" + String.join(" ", components) + ");created=" + (System.currentTimeMillis() / 1000)
        + ";nonce=\"" + nonce + "\";keyid=\"" + System.getenv("ADMIN_KEY_ID") + "\";alg=\"hmac-sha256\"";
    lines.add("\"@signature-params\": " + params);

    byte[] key = Base64.getDecoder().decode(System.getenv("ADMIN_KEY").replaceFirst("^vadm_", ""));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    String signature = Base64.getEncoder().encodeToString(
        mac.doFinal(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)));

    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
        .header("signature-input", "sig=" + params)
        .header("signature", "sig=:" + signature + ":")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) request.header("content-type", "application/json").header("content-digest", digest);
    HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    System.out.println(response.body());
    System.out.println(response.statusCode());
  }
}
