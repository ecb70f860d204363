package redact

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// FormatError formats an error value for fmt's every verb: %#v as
// GoString(v), any other verb as msg (the error's redacted message) would
// be, flags and width kept. Error types call it from a value-receiver
// Format, so that a copy of the error (*err) prints no more than the error.
func FormatError(f fmt.State, verb rune, v any, msg string) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, GoString(v))
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), msg)
}

// GoString formats v the way %#v does, with every string passed through
// Text and every []byte shown by its length only. The error types use it
// as their GoString, so that %#v of an error neither dumps the raw body it
// keeps (that stays reachable through the field or accessor named raw)
// nor quotes an IBAN or a secret from the provider's message.
//
// Like %#v, it follows a pointer only at the top: a pointer inside is
// printed as its address.
func GoString(v any) string {
	var b strings.Builder
	writeValue(&b, reflect.ValueOf(v), 0)
	return b.String()
}

func writeValue(b *strings.Builder, v reflect.Value, depth int) {
	if !v.IsValid() {
		b.WriteString("<nil>")
		return
	}
	if depth > 0 && v.CanInterface() {
		if gs, ok := v.Interface().(fmt.GoStringer); ok && (v.Kind() != reflect.Pointer || !v.IsNil()) {
			b.WriteString(Text(gs.GoString()))
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		switch {
		case v.IsNil():
			fmt.Fprintf(b, "(%s)(nil)", v.Type())
		case depth == 0 && v.Elem().Kind() == reflect.Struct:
			b.WriteByte('&')
			writeValue(b, v.Elem(), depth+1)
		default:
			fmt.Fprintf(b, "(%s)(%#x)", v.Type(), v.Pointer())
		}
	case reflect.Interface:
		if v.IsNil() {
			fmt.Fprintf(b, "%s(nil)", v.Type())
			return
		}
		writeValue(b, v.Elem(), depth+1)
	case reflect.Struct:
		t := v.Type()
		b.WriteString(t.String())
		b.WriteByte('{')
		for i := range t.NumField() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(t.Field(i).Name)
			b.WriteByte(':')
			writeValue(b, v.Field(i), depth+1)
		}
		b.WriteByte('}')
	case reflect.String:
		if t := v.Type(); t.PkgPath() != "" {
			// A named string type, as %#v writes it: pkg.T("…").
			b.WriteString(t.String())
			b.WriteByte('(')
			b.WriteString(strconv.Quote(Text(v.String())))
			b.WriteByte(')')
			return
		}
		b.WriteString(strconv.Quote(Text(v.String())))
	case reflect.Slice:
		if v.IsNil() {
			fmt.Fprintf(b, "%s(nil)", v.Type())
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			fmt.Fprintf(b, "%s{/* %d bytes */}", v.Type(), v.Len())
			return
		}
		writeList(b, v, depth)
	case reflect.Array:
		writeList(b, v, depth)
	case reflect.Map:
		if v.IsNil() {
			fmt.Fprintf(b, "%s(nil)", v.Type())
			return
		}
		fmt.Fprintf(b, "%s{/* %d entries */}", v.Type(), v.Len())
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		fmt.Fprintf(b, "%#x", v.Uint())
	case reflect.Float32, reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	default:
		fmt.Fprintf(b, "%s(/* not shown */)", v.Type())
	}
}

func writeList(b *strings.Builder, v reflect.Value, depth int) {
	b.WriteString(v.Type().String())
	b.WriteByte('{')
	for i := range v.Len() {
		if i > 0 {
			b.WriteString(", ")
		}
		writeValue(b, v.Index(i), depth+1)
	}
	b.WriteByte('}')
}
