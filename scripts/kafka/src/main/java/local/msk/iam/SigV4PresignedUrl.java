package local.msk.iam;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A SigV4 presigned URL as the MSK IAM token carries it, with the canonical-request computation that AWS
 * uses to check its signature (the query is signed, User-Agent and X-Amz-Signature are not).
 */
final class SigV4PresignedUrl {
  private static final String EMPTY_PAYLOAD_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  final String host;
  final String path;
  /** Decoded query parameters; a repeated name is a malformed token. */
  final Map<String, String> query;

  private SigV4PresignedUrl(String host, String path, Map<String, String> query) {
    this.host = host;
    this.path = path;
    this.query = query;
  }

  static SigV4PresignedUrl parse(String url) {
    URI uri = URI.create(url);
    if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() == null) {
      throw new InvalidTokenException("the token is not an https URL with a query");
    }
    Map<String, String> query = new TreeMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (query.put(name, value) != null) throw new InvalidTokenException("repeated query parameter " + name);
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return new SigV4PresignedUrl(uri.getHost(), path, query);
  }

  String required(String name) {
    String value = query.get(name);
    if (value == null || value.isEmpty()) throw new InvalidTokenException("missing " + name);
    return value;
  }

  /** The signature AWS would compute for this URL with the given secret and credential scope. */
  String expectedSignature(String secretAccessKey, String date, String region, String service) {
    StringBuilder canonicalQuery = new StringBuilder();
    for (Map.Entry<String, String> entry : query.entrySet()) {
      String name = entry.getKey();
      if (name.equals("X-Amz-Signature") || name.equals("User-Agent")) continue;
      if (canonicalQuery.length() > 0) canonicalQuery.append('&');
      canonicalQuery.append(encode(name)).append('=').append(encode(entry.getValue()));
    }
    String canonicalRequest = String.join("\n",
        "GET",
        path,
        canonicalQuery,
        "host:" + host,
        "",
        "host",
        EMPTY_PAYLOAD_SHA256);
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    String stringToSign = String.join("\n",
        "AWS4-HMAC-SHA256", required("X-Amz-Date"), scope, hex(sha256(canonicalRequest)));
    byte[] key = hmac(("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8), date);
    key = hmac(key, region);
    key = hmac(key, service);
    key = hmac(key, "aws4_request");
    return hex(hmac(key, stringToSign));
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** AWS's URI encoding: everything but unreserved characters, upper-case hex. */
  static String encode(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
