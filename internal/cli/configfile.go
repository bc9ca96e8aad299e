package cli

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
	"sigs.k8s.io/yaml"
)

// defaultConfigFile is read when --config is not given.
const defaultConfigFile = "/etc/hanok/config.yaml"

var configFlag = &cli.StringFlag{
	Name: "config", Aliases: []string{"c"}, Value: defaultConfigFile,
	Usage:   "(config) Load configuration from `FILE`",
	EnvVars: []string{"HANOK_CONFIG_FILE"},
}

// loadConfigFile sets every flag named in the YAML config file that was not
// given on the command line or in the environment, as k3s does: keys are
// flag names, lists are repeated flags. A missing default file is fine; a
// missing explicit file, bad YAML or an unknown key is an error.
func loadConfigFile(c *cli.Context) error {
	path := c.String("config")
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) && !c.IsSet("config") {
			return nil
		}
		return fmt.Errorf("reading config file: %w", err)
	}
	values := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &values); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	known := map[string]bool{}
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			known[n] = true
		}
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		name := strings.TrimSuffix(key, "+")
		if !known[name] {
			return fmt.Errorf("config file %s: unknown key %q (keys are the flag names of 'hanok %s')", path, key, c.Command.Name)
		}
		if c.IsSet(name) && !strings.HasSuffix(key, "+") {
			continue // the command line and environment win
		}
		switch v := values[key].(type) {
		case []interface{}:
			for _, item := range v {
				if err := c.Set(name, fmt.Sprint(item)); err != nil {
					return fmt.Errorf("config file %s: %s: %w", path, key, err)
				}
			}
		default:
			if err := c.Set(name, fmt.Sprint(v)); err != nil {
				return fmt.Errorf("config file %s: %s: %w", path, key, err)
			}
		}
	}
	return nil
}
