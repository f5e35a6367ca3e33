# Google Benchmark CSV (median aggregates, real time: I/O-bound benchmarks wait, they do not
# compute) -> Markdown table with a ratio to each family's
# first variant. Columns: name,iterations,real_time,cpu_time,time_unit,bytes_per_second,items_per_second,...
BEGIN { FS = ","; print "| benchmark | median real time | items/s | MB/s | ratio to baseline |"; print "|---|---:|---:|---:|---:|" }
/^name,/ { next }
{
  name = $1; gsub(/"/, "", name)
  if (name !~ /_median$/) next
  sub(/_median$/, "", name)
  fam = name; sub(/\/.*/, "", fam)
  split(name, parts, "/"); key = parts[1] "/" parts[3] "/" parts[4]
  t = $3 + 0
  if (!(key in base)) base[key] = t
  mbs = ($6 == "" ? "" : sprintf("%.1f", $6 / 1e6))
  ips = ($7 == "" ? "" : sprintf("%.3g", $7))
  printf "| %s | %.1f %s | %s | %s | %.3f |\n", name, t, $5, ips, mbs, (base[key] > 0 ? t / base[key] : 0)
}
