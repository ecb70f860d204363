package buckaroo_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
)

func TestGetSpecification(t *testing.T) {
	fx := mustFixture(t, "specification-ideal")
	f := newFake(t, jsonAnswer(http.StatusOK, fx.Response.BodyBytes()),
		jsonAnswer(http.StatusNotFound, []byte(`{"Message":"Service 'nope' not found."}`)))
	c := f.client(t)
	spec, err := c.GetSpecification(context.Background(), "ideal", buckaroo.SpecificationParams{Version: 2})
	require.NoError(t, err)
	assert.Equal(t, 2, spec.Version)
	issuer, ok := buckaroo.RequestParameterOf(spec, "pay", "ISSUER")
	require.True(t, ok)
	assert.Equal(t, "ABNANL2A", issuer.ListItemDescriptions[0].Value)
	assert.True(t, bool(issuer.Required))
	_, ok = buckaroo.RequestParameterOf(spec, "Refund", "issuer")
	assert.False(t, ok)

	_, err = c.GetSpecification(context.Background(), "nope", buckaroo.SpecificationParams{})
	var apiErr *buckaroo.Error
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.EqualError(t, err, "buckaroo: get specification: HTTP 404: Service 'nope' not found.")

	got := f.all()
	require.Len(t, got, 2)
	for _, a := range got {
		require.NoError(t, a.verifyErr)
		require.NoError(t, a.specErr)
	}
	assert.Equal(t, "/json/Transaction/Specification/ideal?serviceVersion=2", got[0].uri)
	assert.Equal(t, "/json/Transaction/Specification/nope", got[1].uri, "version 0 is not sent")

	for _, bad := range []error{
		func() error {
			_, err := c.GetSpecification(context.Background(), "", buckaroo.SpecificationParams{})
			return err
		}(),
		func() error {
			_, err := c.GetSpecification(context.Background(), "ideal", buckaroo.SpecificationParams{Version: -1})
			return err
		}(),
	} {
		assert.ErrorIs(t, bad, betaalkit.ErrInvalidRequest)
	}
	assert.Len(t, f.all(), 2, "nothing sent")
}

func TestGetRefundInfo(t *testing.T) {
	fx := mustFixture(t, "refundinfo-ideal")
	f := newFake(t, jsonAnswer(http.StatusOK, fx.Response.BodyBytes()))
	info, err := f.client(t).GetRefundInfo(context.Background(), "41C48B55FA9164E123CC73B1157459E840BE5D24")
	require.NoError(t, err)
	assert.True(t, info.IsRefundable)
	left, err := buckaroo.RefundableOf(info)
	require.NoError(t, err)
	assert.EqualValues(t, 1000, left)
	require.Len(t, info.RefundInputFields, 3)
	assert.Equal(t, "customeraccountname", info.RefundInputFields[0].FieldDefinition.Name)
	assert.True(t, info.RefundInputFields[0].CurrentValueEditable)
	got := f.all()
	require.Len(t, got, 1)
	require.NoError(t, got[0].specErr)
	assert.Equal(t, "/json/Transaction/RefundInfo/41C48B55FA9164E123CC73B1157459E840BE5D24", got[0].uri)

	left, err = buckaroo.RefundableOf(&buckaroo.RefundInfo{IsRefundable: false})
	assert.NoError(t, err)
	assert.Zero(t, left)
}
