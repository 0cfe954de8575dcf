// Signs a bank event with Standard Webhooks using the JDK only (Java 11+), and posts it.
// Usage: VIGIL_URL=https://... BANK_ID=acme-bank SIGNING_SECRET=whsec_... java SignAndSend.java event.json
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class SignAndSend {
  public static void main(String[] args) throws Exception {
    byte[] body = Files.readAllBytes(Path.of(args[0]));
    String id = "evt_" + UUID.randomUUID(); // your event id: the idempotency key; reuse it on retries
    String timestamp = Long.toString(System.currentTimeMillis() / 1000);
    byte[] key = Base64.getDecoder().decode(System.getenv("SIGNING_SECRET").replaceFirst("^whsec_", ""));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
    String signature = Base64.getEncoder().encodeToString(mac.doFinal(body));

    HttpRequest request = HttpRequest.newBuilder(
            URI.create(System.getenv("VIGIL_URL") + "/v1/banks/" + System.getenv("BANK_ID") + "/events"))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp)
        .header("webhook-signature", "v1," + signature)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    System.out.println(response.body());
    System.out.println(response.statusCode());
  }
}
