package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/secure-baseline/baseline/internal/snapshot"
)

func init() {
	Register(Collector{Service: "dynamodb", Regional: true, Run: func(ctx context.Context, t *Task) {
		collectDynamoDB(ctx, t, dynamodb.NewFromConfig(t.Config))
	}})
}

// dynamoAPI lists tables and reads their key schema (a Terraform lock
// table is recognised by its LockID hash key).
type dynamoAPI interface {
	ListTables(context.Context, *dynamodb.ListTablesInput, ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

func collectDynamoDB(ctx context.Context, t *Task, api dynamoAPI) {
	var names []string
	err := pages(ctx, dynamodb.NewListTablesPaginator(api, &dynamodb.ListTablesInput{}), func(p *dynamodb.ListTablesOutput) {
		names = append(names, p.TableNames...)
	})
	if t.Failed("ListTables", err) {
		return
	}
	tables := make([]snapshot.Table, len(names))
	t.Fan(ctx, len(names), func(ctx context.Context, i int) {
		tables[i].Name = names[i]
		out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(names[i])})
		if t.FailedOn("DescribeTable", names[i], err) || out.Table == nil {
			return
		}
		tables[i].Arn, tables[i].Status = aws.ToString(out.Table.TableArn), string(out.Table.TableStatus)
		for _, k := range out.Table.KeySchema {
			if k.KeyType == ddbtypes.KeyTypeHash {
				tables[i].HashKey = aws.ToString(k.AttributeName)
			}
		}
	})
	t.Account.Regions[t.Region].DynamoDB = &snapshot.DynamoDB{Tables: tables}
}
