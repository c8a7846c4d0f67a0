package corpus

import "fmt"

// whoKind is a class of principal; each API call is made by one class.
type whoKind uint8

const (
	person   whoKind = iota // a human through IAM Identity Center, from the console or the CLI
	app                     // a workload role: Lambda, ECS task, CI
	instance                // an EC2 instance profile (credentials from IMDS)
	user                    // an IAM user with long-term keys
	service                 // an AWS service acting for the account
)

// principal is one identity of an account, with where it calls from.
type principal struct {
	kind      whoKind
	typ       string // userIdentity.type
	arn       string
	id        string // principalId
	name      string // role or user name
	session   string
	keyPrefix string
	invokedBy string // AWS services
	ip        string
	agent     string
}

var (
	people    = []string{"alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com", "erin@example.com"}
	ssoRoles  = []string{"AWSReservedSSO_AdministratorAccess_4a1b2c3d4e5f6a7b", "AWSReservedSSO_ReadOnlyAccess_9f8e7d6c5b4a3928"}
	appRoles  = []string{"orders-api-task", "billing-lambda", "ci-deployer", "etl-glue-job", "eks-node-group", "reporting-lambda", "payments-worker"}
	iamUsers  = []string{"deploy-bot", "backup-bot", "legacy-sftp"}
	services  = []string{"config.amazonaws.com", "cloudtrail.amazonaws.com", "autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com", "ssm.amazonaws.com"}
	consoleUA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	agents    = []string{
		"aws-cli/2.17.32 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0-1022-aws md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#ec2.describe-instances",
		"aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/dynamodb#1.34.4",
		"Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.144",
		"aws-sdk-java/2.25.60 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/adaptive",
		"APN/1.0 HashiCorp/1.0 Terraform/1.9.2 (+https://www.terraform.io) terraform-provider-aws/5.59.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5",
	}
)

// principals returns the identities of account number a, always the same.
func principals(a int, account string) map[whoKind][]principal {
	out := map[whoKind][]principal{}
	for i, p := range people {
		role := ssoRoles[i%len(ssoRoles)]
		agent := consoleUA
		if i%2 == 1 {
			agent = agents[0]
		}
		out[person] = append(out[person], principal{
			kind: person, typ: "AssumedRole", name: role, session: p, keyPrefix: "ASIA",
			arn: "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + p, id: fmt.Sprintf("AROA%016X:%s", a*97+i, p),
			ip: fmt.Sprintf("203.0.113.%d", 10+i), agent: agent,
		})
	}
	for i, role := range appRoles {
		session := fmt.Sprintf("%s-%d", role, 1721000000+i*7919)
		out[app] = append(out[app], principal{
			kind: app, typ: "AssumedRole", name: role, session: session, keyPrefix: "ASIA",
			arn: "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session, id: fmt.Sprintf("AROA%016X:%s", a*89+i, session),
			ip: fmt.Sprintf("52.%d.%d.%d", 10+a, 20+i, 30+i), agent: agents[1+i%4],
		})
	}
	for i := range 12 {
		session := fmt.Sprintf("i-0%07x%09x", a+1, i*104729)
		out[instance] = append(out[instance], principal{
			kind: instance, typ: "AssumedRole", name: "eks-node-group", session: session, keyPrefix: "ASIA",
			arn: "arn:aws:sts::" + account + ":assumed-role/eks-node-group/" + session, id: fmt.Sprintf("AROA%016X:%s", a*83+i, session),
			ip: fmt.Sprintf("35.%d.%d.%d", 150+a, i, 7+i), agent: agents[1],
		})
	}
	for i, u := range iamUsers {
		out[user] = append(out[user], principal{
			kind: user, typ: "IAMUser", name: u, keyPrefix: "AKIA",
			arn: "arn:aws:iam::" + account + ":user/" + u, id: fmt.Sprintf("AIDA%016X", a*79+i),
			ip: fmt.Sprintf("198.51.100.%d", 20+a*4+i), agent: agents[(i*2)%len(agents)],
		})
	}
	for _, s := range services {
		out[service] = append(out[service], principal{kind: service, typ: "AWSService", invokedBy: s, ip: s, agent: s})
	}
	return out
}
