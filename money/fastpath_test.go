package money_test

import (
	"errors"
	"math/big"
	"testing"

	"github.com/betaalkit/betaalkit/money"
)

// The fast path and big.Rat agree on every form the providers send.
func TestDecimalCentsFastPathAgreesWithRat(t *testing.T) {
	compared := 0
	for _, s := range []string{"0", "8", "8.00", "8.5", "0.3", "-1.50", "12.345", "0.001", "1e2", "1.5E-1", "999999999999999.99", "1000000000000000", "-0.00", "007.10"} {
		d, err := money.ParseDecimal(s)
		if err != nil {
			continue // exponents are not amounts
		}
		compared++
		want, wantErr := func() (money.Cents, error) {
			r := new(big.Rat).Mul(d.Rat(), big.NewRat(100, 1))
			if !r.IsInt() || !r.Num().IsInt64() {
				return 0, errors.New("fraction")
			}
			return money.Cents(r.Num().Int64()), nil
		}()
		got, err := d.Cents()
		if (err != nil) != (wantErr != nil) || got != want {
			t.Errorf("%s: Cents() = %d, %v; big.Rat says %d, %v", s, got, err, want, wantErr)
		}
		if d.IsZero() != (d.Rat().Sign() == 0) {
			t.Errorf("%s: IsZero disagrees", s)
		}
	}
	if compared < 12 {
		t.Errorf("only %d of the forms parse: the comparison proves little", compared)
	}
}
