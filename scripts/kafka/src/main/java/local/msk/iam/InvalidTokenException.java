package local.msk.iam;

/** Why a token was refused; the message names the check, never the token or a secret. */
final class InvalidTokenException extends RuntimeException {
  InvalidTokenException(String reason) {
    super(reason);
  }
}
