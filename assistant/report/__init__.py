"""A whole report: plan an outline (`outline.plan_report`), then write every section through the
section pipeline (`write.stream_report`), stored so that an interrupted run resumes (`store`)."""
