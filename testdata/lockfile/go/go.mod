module example.com/acme/service

go 1.22.0

toolchain go1.22.4

require github.com/spf13/cobra v1.8.0

require (
	github.com/acme/forked v1.0.0
	golang.org/x/text v0.14.0 // indirect
	example.com/acme/shared v0.0.0-00010101000000-000000000000
	"github.com/quoted/mod" v0.1.0
)

exclude golang.org/x/net v0.1.0

replace github.com/acme/forked => github.com/someone/forked v1.0.1-fix

replace (
	example.com/acme/shared => ../shared
	golang.org/x/crypto v0.1.0 => golang.org/x/crypto v0.17.0
)
