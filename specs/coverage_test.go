package specs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

// olderOperations predate issue 16's rule and still lack a positive or a
// negative fixture. The list only shrinks: a new operation is not added.
var olderOperations = map[string]bool{
	"ideal2/requestAccessToken":      true,
	"kassacompleet/listIdealIssuers": true,
	"multisafepay/listGateways":      true, "multisafepay/listIssuers": true,
	"multisafepay/listCategories": true, "multisafepay/getGateway": true,
	"opp/getOrder": true, "opp/listOrders": true,
	"opp/getDiscountCode": true, "opp/deleteDiscountCode": true, "opp/listDiscountCodes": true,
	"opp/getDiscountBatch": true, "opp/deleteDiscountBatch": true, "opp/listDiscountBatches": true,
	"opp/createDiscountBatch": true,
}

// Issue 16: every operation has at least one fixture validated against its
// spec and one negative fixture (TestFixturesValidate and
// TestInvalidFixturesAreRejected check what they hold).
func TestEveryOperationHasAPositiveAndANegativeFixture(t *testing.T) {
	require.NotEmpty(t, specs.Providers())
	seen := map[string]bool{}
	for _, p := range specs.Providers() {
		doc, err := specs.Load(p)
		require.NoError(t, err)
		good, err := fixtures.Load(p)
		require.NoError(t, err)
		bad, err := fixtures.LoadInvalid(p)
		require.NoError(t, err)
		positive, negative := map[string]int{}, map[string]int{}
		for _, f := range good {
			positive[f.OperationID]++
		}
		for _, f := range bad {
			negative[f.OperationID]++
		}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				name := p + "/" + op.OperationID
				seen[name] = true
				complete := positive[op.OperationID] > 0 && negative[op.OperationID] > 0
				if olderOperations[name] {
					assert.False(t, complete, "%s now has both fixtures: remove it from olderOperations", name)
					continue
				}
				assert.Positive(t, positive[op.OperationID], "%s (%s %s) has no fixture", name, method, path)
				assert.Positive(t, negative[op.OperationID], "%s (%s %s) has no negative fixture", name, method, path)
			}
		}
	}
	assert.Greater(t, len(seen), len(olderOperations))
	for name := range olderOperations {
		assert.True(t, seen[name], "olderOperations names %s, which no spec has", name)
	}
}
