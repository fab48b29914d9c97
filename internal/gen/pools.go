package gen

// The fixed vocabularies lines are drawn from. Values are realistic (taken
// from the shapes of real lines in /work/shared/samples and AWS's docs) and
// free of '"' and, for unquoted fields, of spaces: the traps add those
// deliberately.

var regions = []string{"us-east-1", "us-east-1", "us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2", "sa-east-1", "ca-central-1"}

var bucketStems = []string{
	"acme-prod-assets", "acme-customerdata-prod", "analytics-raw", "cloudtrail-logs", "terraform-state",
	"backup-vault", "ml-training-data", "static-website", "user-uploads", "data-lake-curated",
	"invoices-archive", "build-artifacts", "media-transcode", "security-audit", "public-downloads",
}

var iamUsers = []string{
	"alice", "bob", "tracy_stone", "jaime.soriano@example.com", "deploy-bot", "ci-runner",
	"backup-svc", "data.engineer", "admin", "reporting", "mallory", "ops-oncall",
}

var roleNames = []string{
	"PantherLogProcessingRole", "AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6789", "EC2InstanceRole-web",
	"GitHubActionsDeploy", "LambdaExecutionRole-thumbnailer", "OrganizationAccountAccessRole",
	"AmazonSageMaker-ExecutionRole-20260101T000000", "eks-node-group-role",
}

var services = []string{
	"svc:delivery.logs.amazonaws.com", "svc:cloudtrail.amazonaws.com", "svc:config.amazonaws.com",
	"svc:backup.amazonaws.com", "svc:replication.s3.amazonaws.com", "svc:athena.amazonaws.com",
}

var keyPrefixes = []string{
	"images/2026/01", "logs/app/2026/01/15", "data/raw/events", "backups/db/daily", "uploads/user-7731",
	"static/js", "reports/finance/Q1", "tmp", "AWSLogs/123456789012/CloudTrail/us-east-1/2026/01/15",
	"datasets/train/shard", "invoices/2025", "site", "media/video/hls", "exports",
}

var keyStems = []string{
	"IMG_", "part-", "index", "app.", "Screen+Shot+2026-01-09+at+9.08.44+AM", "report%20final%20v",
	"%E6%97%A5%E6%9C%AC%E8%AA%9E-", "export-*", "customer_", "invoice-", "segment", "thumbnail_",
	"config", "id-", "backup-", "%C3%A9t%C3%A9-photo-",
}

var keyExts = []string{
	".jpg", ".JPG", ".png", ".json", ".csv", ".gz", ".snappy.parquet", ".pdf", ".html", ".js", ".ts",
	".tar.gz", ".txt", ".m3u8", ".zip", "",
}

var userAgents = []string{
	"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.167.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/s3.cp",
	"aws-cli/2.13.25 Python/3.11.6 Darwin/23.2.0 exe/x86_64 prompt/off command/s3.sync",
	"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
	"aws-sdk-go-v2/1.26.0 ua/2.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.0 m/E,Z",
	"aws-sdk-java/2.25.16 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
	"aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.209-198.858.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/s3#3.540.0",
	"[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.198-163.747.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372 vendor/Oracle_Corporation cfg/retry-mode/standard]",
	"AWS-Support-TrustedAdvisor, aws-internal/3 aws-sdk-java/1.11.613 Linux/4.9.184-0.1.ac.235.83.329.metal1.x86_64 OpenJDK_64-Bit_Server_VM/25.222-b10 java/1.8.0_222",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
	"Mozilla/5.0 (Linux; U; Android 4.4.2; ru-ru; Планшет Build/KOT49H) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Safari/534.30",
	"Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 api/s3#1.53.0",
	"Hadoop 3.3.6, aws-sdk-java/1.12.367 Linux/5.10.199-190.747.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS java/17.0.9 scala/2.12.15 vendor/Amazon.com_Inc. cfg/retry-mode/legacy",
	"curl/8.5.0",
	"python-requests/2.31.0",
	"S3Console/0.4",
	"aws-sdk-go/1.44.0 (go1.20.4; linux; amd64)",
	"Boto3/1.26.0 Python/3.9.16 Linux/5.10.178-162.673.amzn2.x86_64 Botocore/1.29.0",
	"aws-sdk-java/1.12.400 Linux/5.10 OpenJDK_64-Bit_Server_VM/11.0.18+10-LTS java/11.0.18",
	"Wget/1.21.3",
	"aws-sdk-dotnet-coreclr/3.7.300.2 aws-sdk-dotnet-core/3.7.300.2 .NET_Core/6.0.25 OS/Linux_5.10",
	"aws-sdk-php/3.300.0 OS/Linux/5.15.0 lang/php/8.2.15 GuzzleHttp/7",
	"aws-sdk-ruby3/3.190.0 ruby/3.2.2 x86_64-linux aws-sdk-s3/1.141.0",
	"rclone/v1.66.0",
	"Cyberduck/8.8.2.41193 (Mac OS X/14.4) (x86_64)",
	"Amazon CloudFront",
}

var browserAgents = []int{8, 9, 10, 11, 12}

var referrers = []string{
	"https://console.aws.amazon.com/s3/buckets?region=us-east-1",
	"https://www.example.com/products/index.html",
	"https://app.example.com/dashboard?tab=files&sort=desc",
	"https://www.google.com/",
	"http://localhost:3000/",
	"https://example,com/some/url",
}

// cipherSuites maps a TLS version to the suites negotiated with it.
var cipherSuites = map[string][]string{
	"TLSv1.3": {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"},
	"TLSv1.2": {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "AES128-GCM-SHA256"},
	"TLSV1.2": {"ECDHE-RSA-AES128-GCM-SHA256"},
	"TLSv1.1": {"ECDHE-RSA-AES128-SHA", "AES128-SHA"},
	"TLSv1":   {"ECDHE-RSA-AES128-SHA", "AES256-SHA"},
}

// tlsVersions are weighted per mille; the rest is plain HTTP.
var tlsVersions = []struct {
	v string
	w int
}{{"TLSv1.3", 430}, {"TLSv1.2", 500}, {"TLSV1.2", 5}, {"TLSv1.1", 15}, {"TLSv1", 15}}

// fieldCounts is the distribution (per mille) of fields per line.
var fieldCounts = []struct{ n, w int }{
	{18, 15}, {19, 15}, {20, 5}, {21, 5}, {22, 5}, {23, 5}, {24, 60}, {25, 90}, {26, 380}, {27, 420},
}

// traps used by the rendering of trap lines.
var (
	oaiRequesters  = []string{"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLEID6Q", "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E15MNIMTCFKK4C"}
	quotedReferers = []string{`referer "test" page`, `https://evil.example/?q="><script>alert(1)</script>`, `a "quoted" word and more`}
	extraFields    = []string{"future-field", "x-amz-fwd=1", "42", "checksum:CRC64NVME"}
)
