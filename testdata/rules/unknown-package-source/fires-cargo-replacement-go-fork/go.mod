module example.com/app

go 1.23

require (
	github.com/pkg/errors v0.9.1
	golang.org/x/text v0.21.0
)

replace github.com/pkg/errors => github.com/someone/errors v0.9.2-fix
