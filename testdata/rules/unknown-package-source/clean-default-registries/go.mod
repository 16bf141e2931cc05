module example.com/app

go 1.23

require github.com/pkg/errors v0.9.1

replace example.com/app/internal => ./internal
