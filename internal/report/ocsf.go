package report

import (
	"cmp"
	"io"
	"strings"
	"time"

	"github.com/secure-baseline/baseline/internal/catalog"
)

// OCSF Detection Finding (class 2004, category Findings), activity Create,
// as Prowler emits it: one JSON array, one object per finding, with the
// cloud and datetime profiles.
const (
	ocsfVersion     = "1.4.0"
	ocsfClassUID    = 2004
	ocsfCategoryUID = 2
	ocsfActivityID  = 1
	ocsfTypeUID     = ocsfClassUID*100 + ocsfActivityID
	ocsfStatusNew   = 1
	ocsfAWSAccount  = 10 // account type_id "AWS Account"
	vendorName      = "secure-baseline"
	productName     = "baseline"
)

type ocsfFinding struct {
	ActivityID   int             `json:"activity_id"`
	ActivityName string          `json:"activity_name"`
	CategoryUID  int             `json:"category_uid"`
	CategoryName string          `json:"category_name"`
	ClassUID     int             `json:"class_uid"`
	ClassName    string          `json:"class_name"`
	TypeUID      int             `json:"type_uid"`
	TypeName     string          `json:"type_name"`
	Time         int64           `json:"time"`
	TimeDt       string          `json:"time_dt"`
	Message      string          `json:"message"`
	SeverityID   int             `json:"severity_id"`
	Severity     string          `json:"severity"`
	StatusID     int             `json:"status_id"`
	Status       string          `json:"status"`
	StatusCode   catalog.Status  `json:"status_code"`
	StatusDetail string          `json:"status_detail"`
	FindingInfo  ocsfFindingInfo `json:"finding_info"`
	Cloud        ocsfCloud       `json:"cloud"`
	Resources    []ocsfResource  `json:"resources"`
	Remediation  ocsfRemediation `json:"remediation"`
	Metadata     ocsfMetadata    `json:"metadata"`
	Unmapped     ocsfUnmapped    `json:"unmapped"`
}

type ocsfFindingInfo struct {
	UID           string   `json:"uid"`
	Title         string   `json:"title"`
	Desc          string   `json:"desc,omitempty"`
	Types         []string `json:"types"`
	CreatedTime   int64    `json:"created_time"`
	CreatedTimeDt string   `json:"created_time_dt"`
}

type ocsfCloud struct {
	Provider string      `json:"provider"`
	Region   string      `json:"region,omitempty"`
	Account  ocsfAccount `json:"account"`
	Org      *ocsfOrg    `json:"org,omitempty"`
}

type ocsfAccount struct {
	UID    string `json:"uid"`
	Name   string `json:"name,omitempty"`
	Type   string `json:"type"`
	TypeID int    `json:"type_id"`
}

type ocsfOrg struct {
	UID string `json:"uid"`
}

type ocsfResource struct {
	UID            string    `json:"uid"`
	Name           string    `json:"name"`
	Type           string    `json:"type"`
	Region         string    `json:"region,omitempty"`
	CloudPartition string    `json:"cloud_partition"`
	Group          ocsfGroup `json:"group"`
}

type ocsfGroup struct {
	Name string `json:"name"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

type ocsfMetadata struct {
	Version   string      `json:"version"`
	EventCode string      `json:"event_code"`
	Product   ocsfProduct `json:"product"`
	Profiles  []string    `json:"profiles"`
	TenantUID string      `json:"tenant_uid,omitempty"`
}

type ocsfProduct struct {
	UID        string `json:"uid"`
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version"`
}

// ocsfUnmapped carries what OCSF has no field for: the control's stage, the
// account's maturity stage, the CIS recommendations and the control kind.
type ocsfUnmapped struct {
	Stage         string       `json:"stage"`
	MaturityStage string       `json:"maturity_stage"`
	CIS           []string     `json:"cis,omitempty"`
	Kind          catalog.Kind `json:"kind,omitempty"`
}

func writeOCSF(w io.Writer, v *view) error {
	at := v.observed()
	ms, dt := at.UnixMilli(), at.Format(time.RFC3339)
	var org *ocsfOrg
	if id := v.orgID(); id != "" {
		org = &ocsfOrg{UID: id}
	}
	return writeJSONArray(w, len(v.Result.Findings), func(i int) any {
		f := &v.Result.Findings[i]
		c, a, sev, res := v.control(f.ControlID, f.Severity), v.account(f), severityOf(f.Severity), resourceOf(f)
		area, _, _ := strings.Cut(f.ControlID, ".")
		return &ocsfFinding{
			ActivityID: ocsfActivityID, ActivityName: "Create",
			CategoryUID: ocsfCategoryUID, CategoryName: "Findings",
			ClassUID: ocsfClassUID, ClassName: "Detection Finding",
			TypeUID: ocsfTypeUID, TypeName: "Detection Finding: Create",
			Time: ms, TimeDt: dt,
			Message:    f.Reason,
			SeverityID: sev.ocsfID, Severity: sev.name,
			StatusID: ocsfStatusNew, Status: "New", StatusCode: f.Status, StatusDetail: f.Reason,
			FindingInfo: ocsfFindingInfo{
				UID: findingID(f), Title: c.Title, Desc: c.Rationale, Types: findingTypes(c),
				CreatedTime: ms, CreatedTimeDt: dt,
			},
			Cloud: ocsfCloud{
				Provider: "AWS", Region: f.Region, Org: org,
				Account: ocsfAccount{UID: f.AccountID, Name: a.Name, Type: "AWS Account", TypeID: ocsfAWSAccount},
			},
			Resources: []ocsfResource{{
				UID: res.ID, Name: res.Name, Type: res.Type, Region: f.Region,
				CloudPartition: partition(cmp.Or(f.Region, v.homeRegion())), Group: ocsfGroup{Name: area},
			}},
			Remediation: ocsfRemediation{Desc: c.Steps},
			Metadata: ocsfMetadata{
				Version: ocsfVersion, EventCode: f.ControlID, Profiles: []string{"cloud", "datetime"}, TenantUID: v.orgID(),
				Product: ocsfProduct{UID: productName, Name: productName, VendorName: vendorName, Version: v.version()},
			},
			Unmapped: ocsfUnmapped{Stage: c.Stage, MaturityStage: a.StageLabel(), CIS: c.CIS, Kind: c.Kind},
		}
	})
}
