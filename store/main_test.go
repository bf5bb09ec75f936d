package store_test

import (
	"os"
	"testing"

	"github.com/redsalud/ticket-home/internal/testapp"
)

func TestMain(m *testing.M) { os.Exit(testapp.Main(m)) }
