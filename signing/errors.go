package signing

import "github.com/betaalkit/betaalkit"

// verificationError is a check that failed on a signed message. Each is its
// own sentinel (errors.Is(err, ErrStale)) and all match
// betaalkit.ErrVerification, so callers can tell a forged or replayed
// message from a transport or API failure.
type verificationError string

func (e verificationError) Error() string { return string(e) }

func (e verificationError) Is(target error) bool { return target == betaalkit.ErrVerification }

// Is makes every IDEAL2VerifyError match betaalkit.ErrVerification, whatever
// its cause.
func (e *IDEAL2VerifyError) Is(target error) bool { return target == betaalkit.ErrVerification }
