module example.com/app

go 1.23

require github.com/pkg/errors v0.9.1

replace github.com/pkg/errors => github.com/acme/errors v0.9.2-fix
