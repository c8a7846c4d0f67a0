package collect

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// fakeDynamo lists a lock table and a table whose description is denied.
type fakeDynamo struct{ listErr error }

func (f fakeDynamo) ListTables(context.Context, *dynamodb.ListTablesInput, ...func(*dynamodb.Options)) (*dynamodb.ListTablesOutput, error) {
	return &dynamodb.ListTablesOutput{TableNames: []string{"locks", "secret"}}, f.listErr
}

func (f fakeDynamo) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	if aws.ToString(in.TableName) == "secret" {
		return nil, errAccessDenied
	}
	return &dynamodb.DescribeTableOutput{Table: &ddbtypes.TableDescription{TableName: in.TableName, TableStatus: ddbtypes.TableStatusActive,
		KeySchema: []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}}}}, nil
}

func TestDynamoDBCollector(t *testing.T) {
	task, snap := fakeTask(t, "dynamodb", "us-east-1")
	collectDynamoDB(context.Background(), task, fakeDynamo{})
	tables := snap().Accounts[0].Regions["us-east-1"].DynamoDB.Tables
	if len(tables) != 2 || tables[0].HashKey != "LockID" || tables[1].Name != "secret" || tables[1].HashKey != "" {
		t.Fatalf("tables = %+v", tables)
	}
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"dynamodb:DescribeTable secret"}) {
		t.Fatalf("recorded %v", got)
	}

	task, snap = fakeTask(t, "dynamodb", "us-east-1")
	collectDynamoDB(context.Background(), task, fakeDynamo{listErr: errAccessDenied})
	if got := recordedOps(t, snap()); !slices.Equal(got, []string{"dynamodb:ListTables"}) {
		t.Fatalf("recorded %v", got)
	}
}
