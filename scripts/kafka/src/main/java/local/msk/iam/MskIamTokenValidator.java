package local.msk.iam;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerExtensionsValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker side of MSK IAM access control, for the local broker's SASL_SSL/OAUTHBEARER listener. The
 * client's token is the base64url form of a SigV4-presigned URL for {@code kafka-cluster:Connect}
 * (what aws-msk-iam-sasl-signer-js makes); it is accepted only if every check MSK makes holds: host,
 * action, algorithm, credential scope, expiry and the signature, recomputed with the secret of a known
 * test access key. The principal is that key's identity.
 *
 * <p>JAAS options: {@code region} (the cluster's) and {@code credentialsFile}, a properties file with
 * {@code <accessKeyId>.secret}, {@code <accessKeyId>.principal} and, for temporary credentials,
 * {@code <accessKeyId>.sessionToken}. Optional: {@code clockSkewSeconds} (default 300).
 */
public final class MskIamTokenValidator implements AuthenticateCallbackHandler {
  private static final Logger log = LoggerFactory.getLogger(MskIamTokenValidator.class);
  private static final String SERVICE = "kafka-cluster";
  private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  private String region;
  private Properties credentials;
  private long clockSkewMs;

  @Override
  public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
    Map<String, ?> options = jaasConfigEntries.get(0).getOptions();
    region = requiredOption(options, "region");
    Object skew = options.get("clockSkewSeconds");
    clockSkewMs = Long.parseLong(skew == null ? "300" : String.valueOf(skew)) * 1000;
    credentials = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(requiredOption(options, "credentialsFile")))) {
      credentials.load(in);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the IAM test credentials file", e);
    }
  }

  private static String requiredOption(Map<String, ?> options, String name) {
    Object value = options.get(name);
    if (value == null || String.valueOf(value).isEmpty()) {
      throw new IllegalArgumentException("MskIamTokenValidator needs the JAAS option " + name);
    }
    return String.valueOf(value);
  }

  @Override
  public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
    for (Callback callback : callbacks) {
      if (callback instanceof OAuthBearerValidatorCallback validation) {
        try {
          validation.token(validate(validation.tokenValue(), System.currentTimeMillis()));
        } catch (InvalidTokenException e) {
          log.info("Rejected an MSK IAM token: {}", e.getMessage());
          validation.error("invalid_token", null, null);
        }
      } else if (callback instanceof OAuthBearerExtensionsValidatorCallback) {
        // MSK IAM tokens carry no SASL extensions; any that arrive are ignored.
      } else {
        throw new UnsupportedCallbackException(callback);
      }
    }
  }

  OAuthBearerToken validate(String tokenValue, long nowMs) {
    String url;
    try {
      url = new String(Base64.getUrlDecoder().decode(tokenValue), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("the token is not base64url");
    }
    SigV4PresignedUrl presigned;
    try {
      presigned = SigV4PresignedUrl.parse(url);
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("the token is not a URL");
    }

    String expectedHost = "kafka." + region + ".amazonaws.com";
    if (!presigned.host.equals(expectedHost)) throw new InvalidTokenException("host is not " + expectedHost);
    if (!presigned.path.equals("/")) throw new InvalidTokenException("path is not /");
    if (!presigned.required("Action").equals("kafka-cluster:Connect")) {
      throw new InvalidTokenException("Action is not kafka-cluster:Connect");
    }
    if (!presigned.required("X-Amz-Algorithm").equals("AWS4-HMAC-SHA256")) {
      throw new InvalidTokenException("X-Amz-Algorithm is not AWS4-HMAC-SHA256");
    }
    if (!presigned.required("X-Amz-SignedHeaders").equals("host")) {
      throw new InvalidTokenException("X-Amz-SignedHeaders is not host");
    }

    String[] scope = presigned.required("X-Amz-Credential").split("/", -1);
    if (scope.length != 5 || !scope[4].equals("aws4_request") || !scope[3].equals(SERVICE)) {
      throw new InvalidTokenException("X-Amz-Credential is not <key>/<date>/<region>/kafka-cluster/aws4_request");
    }
    String accessKeyId = scope[0];
    String date = scope[1];
    if (!scope[2].equals(region)) throw new InvalidTokenException("credential scope region is not " + region);

    String amzDate = presigned.required("X-Amz-Date");
    long signedAtMs;
    try {
      signedAtMs = LocalDateTime.parse(amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new InvalidTokenException("X-Amz-Date is not yyyyMMddTHHmmssZ");
    }
    if (!amzDate.startsWith(date)) throw new InvalidTokenException("credential scope date is not X-Amz-Date's");
    // SigV4 presigning (and so MSK) takes whole seconds; the official signers never write a fraction.
    String expires = presigned.required("X-Amz-Expires");
    if (!expires.matches("[0-9]{1,4}")) {
      throw new InvalidTokenException("X-Amz-Expires is not a whole number of seconds: " + expires);
    }
    long expiresSeconds = Long.parseLong(expires);
    if (expiresSeconds < 1 || expiresSeconds > 900) {
      throw new InvalidTokenException("X-Amz-Expires is not between 1 and 900 seconds");
    }
    long expiresAtMs = signedAtMs + expiresSeconds * 1000;
    if (nowMs >= expiresAtMs) throw new InvalidTokenException("the token expired at " + Instant.ofEpochMilli(expiresAtMs));
    if (signedAtMs > nowMs + clockSkewMs) throw new InvalidTokenException("X-Amz-Date is in the future");

    String secret = credentials.getProperty(accessKeyId + ".secret");
    if (secret == null) throw new InvalidTokenException("unknown access key " + accessKeyId);
    String sessionToken = credentials.getProperty(accessKeyId + ".sessionToken");
    String presentedSessionToken = presigned.query.get("X-Amz-Security-Token");
    if (sessionToken != null && presentedSessionToken == null) {
      throw new InvalidTokenException("missing X-Amz-Security-Token for temporary credentials " + accessKeyId);
    }
    if (presentedSessionToken != null && !constantTimeEquals(presentedSessionToken, sessionToken)) {
      throw new InvalidTokenException("X-Amz-Security-Token does not belong to " + accessKeyId);
    }

    String expected = presigned.expectedSignature(secret, date, region, SERVICE);
    if (!constantTimeEquals(presigned.required("X-Amz-Signature"), expected)) {
      throw new InvalidTokenException("signature does not match for " + accessKeyId);
    }
    String principal = credentials.getProperty(accessKeyId + ".principal", accessKeyId);
    return new IamToken(tokenValue, principal, signedAtMs, expiresAtMs);
  }

  private static boolean constantTimeEquals(String presented, String expected) {
    if (expected == null) return false;
    return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {}

  private record IamToken(String value, String principalName, long startMs, long lifetimeMs)
      implements OAuthBearerToken {
    @Override
    public Set<String> scope() {
      return Set.of();
    }

    @Override
    public Long startTimeMs() {
      return startMs;
    }

    @Override
    public String toString() {
      return "IamToken[principal=" + principalName + "]";
    }
  }
}
