// Package config reads baseline.yaml. The file is validated against a JSON
// Schema embedded in the binary; every error names its line and column.
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/secure-baseline/baseline/internal/alert"
	"github.com/secure-baseline/baseline/internal/catalog"
	"github.com/secure-baseline/baseline/internal/yamlx"
)

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema of baseline.yaml.
func Schema() []byte { return schemaJSON }

// Config is baseline.yaml.
type Config struct {
	Version      int                      `yaml:"version"`
	Organization Organization             `yaml:"organization"`
	Regions      Regions                  `yaml:"regions"`
	Audit        Audit                    `yaml:"audit"`
	Controls     map[string]ControlConfig `yaml:"controls"`
	Trail        Trail                    `yaml:"trail"`
	Naming       Naming                   `yaml:"naming"`
	Alerts       Alerts                   `yaml:"alerts"`
	Budgets      Budgets                  `yaml:"budgets"`
	Logging      Logging                  `yaml:"logging"`
	Backup       Backup                   `yaml:"backup"`
}

// AccountConfig describes one account of the organization.
type AccountConfig struct {
	Category     string  `yaml:"category"`
	Owner        string  `yaml:"owner"`
	BusinessUnit string  `yaml:"business_unit"`
	BudgetUSD    float64 `yaml:"budget_usd"`
}

// Naming is the naming scheme of what apply creates.
type Naming struct {
	Prefix       string `yaml:"prefix"`
	AccountAlias string `yaml:"account_alias"`
}

// Alerts lists who the alert topic notifies.
type Alerts struct {
	Emails []string `yaml:"emails"`
}

// Budgets sets the default monthly budget of every account.
type Budgets struct {
	MonthlyUSD float64 `yaml:"monthly_usd"`
}

// Logging tunes log retention and replication.
type Logging struct {
	RetentionDays int    `yaml:"retention_days"`
	ReplicaRegion string `yaml:"replica_region"`
}

// Backup tunes the AWS Backup plan.
type Backup struct {
	RetentionDays int `yaml:"retention_days"`
}

// Trail configures the CloudTrail pipeline.
type Trail struct {
	Alerts alert.Config `yaml:"alerts"`
}

// Organization names the accounts with a role in the baseline.
type Organization struct {
	SecurityAccount       string   `yaml:"security_account"`
	LogArchiveAccount     string   `yaml:"log_archive_account"`
	SharedServicesAccount string   `yaml:"shared_services_account"`
	IdentityAccount       string   `yaml:"identity_account"`
	ManagementAccount     string   `yaml:"management_account"`
	CompanyEmailDomains   []string `yaml:"company_email_domains"`
	// Accounts are keyed by account id or Organizations name.
	Accounts map[string]AccountConfig `yaml:"accounts"`
	// OUs maps a category to the name of its OU under the root.
	OUs map[string]string `yaml:"ous"`
}

// Regions says where the organization may run.
type Regions struct {
	Allowed     []string `yaml:"allowed"`
	Home        string   `yaml:"home"`
	ExemptRoles []string `yaml:"exempt_roles"`
}

// Audit tunes the checks.
type Audit struct {
	RequiredTags          []string `yaml:"required_tags"`
	BreakGlassUsers       []string `yaml:"break_glass_users"`
	HoneytokenUsers       []string `yaml:"honeytoken_users"`
	AccountNamePattern    string   `yaml:"account_name_pattern"`
	UnusedCredentialDays  int      `yaml:"unused_credential_days"`
	AccessKeyMaxAgeDays   int      `yaml:"access_key_max_age_days"`
	RoleUnusedDays        int      `yaml:"role_unused_days"`
	RootUnusedDays        int      `yaml:"root_unused_days"`
	ApprovedAMIOwners     []string `yaml:"approved_ami_owners"`
	TrustedAccounts       []string `yaml:"trusted_accounts"`
	RequireShieldAdvanced bool     `yaml:"require_shield_advanced"`
}

// ControlConfig holds per-control settings.
type ControlConfig struct {
	Enabled *bool `yaml:"enabled"`
}

// Default is the configuration used when no file is given.
func Default() *Config { return &Config{Version: 1} }

// Load reads and validates a baseline.yaml file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	return c, nil
}

// Parse validates and decodes baseline.yaml. Errors read "LINE:COLUMN: message"
// (callers prefix the file name).
func Parse(b []byte) (*Config, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return Default(), nil
	}
	file, err := parser.ParseBytes(b, 0)
	if err != nil {
		return nil, yamlx.Error(err)
	}
	js, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, yamlx.Error(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return nil, fmt.Errorf("1:1: %v", err)
	}
	if err := compiled().Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return nil, locate(file, ve)
		}
		return nil, fmt.Errorf("1:1: %v", err)
	}
	c := Default()
	if err := yaml.UnmarshalWithOptions(b, c, yaml.DisallowUnknownField()); err != nil {
		return nil, yamlx.Error(err)
	}
	if err := c.check(file); err != nil {
		return nil, err
	}
	return c, nil
}

var schema *jsonschema.Schema

func compiled() *jsonschema.Schema {
	if schema != nil {
		return schema
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		panic(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("baseline.json", doc); err != nil {
		panic(err)
	}
	schema = c.MustCompile("baseline.json")
	return schema
}

// check validates what the schema cannot: control ids exist in the catalog.
func (c *Config) check(file *ast.File) error {
	ids := make([]string, 0, len(c.Controls))
	for id := range c.Controls {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := catalog.Get(id); !ok {
			line, col := position(file, []string{"controls", id}, true)
			return fmt.Errorf("%d:%d: unknown control %q (see `baseline controls list`)", line, col, id)
		}
	}
	return nil
}

var printer = message.NewPrinter(language.English)

// locate turns the deepest schema error into "LINE:COL: message".
func locate(file *ast.File, ve *jsonschema.ValidationError) error {
	leaf := ve
	for len(leaf.Causes) > 0 {
		leaf = leaf.Causes[0]
	}
	path := leaf.InstanceLocation
	msg := leaf.ErrorKind.LocalizedString(printer)
	if ap, ok := leaf.ErrorKind.(interface{ KeywordPath() []string }); ok && len(ap.KeywordPath()) == 1 && ap.KeywordPath()[0] == "additionalProperties" {
		// Point at the unknown key itself, not at its parent object.
		if k := unknownKey(msg); k != "" {
			line, col := position(file, append(append([]string{}, path...), k), true)
			return fmt.Errorf("%d:%d: unknown key %q at %s", line, col, k, where(path))
		}
	}
	line, col := position(file, path, false)
	return fmt.Errorf("%d:%d: %s: %s", line, col, where(path), msg)
}

func where(path []string) string {
	if len(path) == 0 {
		return "top level"
	}
	return strings.Join(path, ".")
}

// unknownKey extracts the first name from "additional properties 'x', 'y' not allowed".
func unknownKey(msg string) string {
	i := strings.IndexByte(msg, '\'')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(msg[i+1:], '\'')
	if j < 0 {
		return ""
	}
	return msg[i+1 : i+1+j]
}

// position finds the node at path (map keys and sequence indexes) and
// returns its line and column; atKey points at the key rather than the value.
func position(file *ast.File, path []string, atKey bool) (int, int) {
	if len(file.Docs) == 0 || file.Docs[0].Body == nil {
		return 1, 1
	}
	node := file.Docs[0].Body
	best := node.GetToken().Position
	for i, p := range path {
		switch n := node.(type) {
		case *ast.MappingNode:
			found := false
			for _, kv := range n.Values {
				if kv.Key.GetToken().Value == p {
					if atKey && i == len(path)-1 {
						pos := kv.Key.GetToken().Position
						return pos.Line, pos.Column
					}
					node, found = kv.Value, true
					best = kv.Key.GetToken().Position
					break
				}
			}
			if !found {
				return best.Line, best.Column
			}
		case *ast.MappingValueNode:
			if n.Key.GetToken().Value != p {
				return best.Line, best.Column
			}
			if atKey && i == len(path)-1 {
				pos := n.Key.GetToken().Position
				return pos.Line, pos.Column
			}
			node, best = n.Value, n.Key.GetToken().Position
		case *ast.SequenceNode:
			idx := 0
			if _, err := fmt.Sscanf(p, "%d", &idx); err != nil || idx >= len(n.Values) {
				return best.Line, best.Column
			}
			node = n.Values[idx]
			best = node.GetToken().Position
		default:
			return best.Line, best.Column
		}
	}
	if tk := node.GetToken(); tk != nil && !atKey {
		return tk.Position.Line, tk.Position.Column
	}
	return best.Line, best.Column
}

// Settings converts the audit-related parts of the file to check settings.
func (c *Config) Settings() *catalog.Settings {
	s := &catalog.Settings{
		SecurityAccount:       c.Organization.SecurityAccount,
		LogArchiveAccount:     c.Organization.LogArchiveAccount,
		IdentityAccount:       c.Organization.IdentityAccount,
		SharedServicesAccount: c.Organization.SharedServicesAccount,
		CompanyEmailDomains:   c.Organization.CompanyEmailDomains,
		AllowedRegions:        c.Regions.Allowed,
		RequiredTags:          c.Audit.RequiredTags,
		BreakGlassUsers:       c.Audit.BreakGlassUsers,
		HoneytokenUsers:       c.Audit.HoneytokenUsers,
		AccountNamePattern:    c.Audit.AccountNamePattern,
		UnusedCredentialDays:  c.Audit.UnusedCredentialDays,
		AccessKeyMaxAgeDays:   c.Audit.AccessKeyMaxAgeDays,
		RoleUnusedDays:        c.Audit.RoleUnusedDays,
		RootUnusedDays:        c.Audit.RootUnusedDays,
		ApprovedAMIOwners:     c.Audit.ApprovedAMIOwners,
		TrustedAccounts:       c.Audit.TrustedAccounts,
		RequireShield:         c.Audit.RequireShieldAdvanced,
		HomeRegion:            c.Regions.Home,
		ExemptRoles:           c.Regions.ExemptRoles,
		CategoryOUs:           c.Organization.OUs,
		NamePrefix:            c.Naming.Prefix,
		AliasTemplate:         c.Naming.AccountAlias,
		AlertEmails:           c.Alerts.Emails,
		BudgetMonthlyUSD:      c.Budgets.MonthlyUSD,
		LogRetentionDays:      c.Logging.RetentionDays,
		ReplicaRegion:         c.Logging.ReplicaRegion,
		BackupRetentionDays:   c.Backup.RetentionDays,
	}
	for ref, a := range c.Organization.Accounts {
		setIf(&s.AccountCategories, ref, a.Category)
		setIf(&s.AccountOwners, ref, a.Owner)
		if a.BudgetUSD > 0 {
			if s.BudgetByAccount == nil {
				s.BudgetByAccount = map[string]float64{}
			}
			s.BudgetByAccount[ref] = a.BudgetUSD
		}
	}
	s.Complete()
	return s
}

func setIf(m *map[string]string, k, v string) {
	if v == "" {
		return
	}
	if *m == nil {
		*m = map[string]string{}
	}
	(*m)[k] = v
}

// Disabled returns the ids of controls turned off with `enabled: false`.
func (c *Config) Disabled() map[string]bool {
	out := map[string]bool{}
	for id, cc := range c.Controls {
		if cc.Enabled != nil && !*cc.Enabled {
			out[id] = true
		}
	}
	return out
}
