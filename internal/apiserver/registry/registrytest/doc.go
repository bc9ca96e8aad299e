// Package registrytest holds the test pipeline every strategy's tests
// share: running an object through the handler's create and update steps,
// and checking the validation errors and table rows that come back.
//
// It is imported only from _test.go files.
package registrytest
