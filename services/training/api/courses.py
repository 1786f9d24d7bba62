"""Courses: what sessions teach (operators add them; anyone with a key lists them)."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from services.common.audit import by
from services.common.auth import Caller, Role, require
from services.common.inputs import RequestBody
from services.training.api.common import ServiceDep, Title, answering
from services.training.entities import Course
from services.training.usecases import courses

router = APIRouter()


class CourseIn(RequestBody):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9\-]{1,39}$", examples=["ISO-NT"])
    title_vi: Title = Field(examples=["Nhận thức TCVN ISO 9001:2015"])
    required_days: int | None = Field(default=None, ge=1, le=30, description="Default: every day.")


class CourseOut(BaseModel):
    code: str
    title_vi: str
    required_days: int | None

    @classmethod
    def of(cls, course: Course) -> "CourseOut":
        return cls(code=course.code, title_vi=course.title_vi, required_days=course.required_days)


@router.post("/courses", response_model=CourseOut, status_code=201, tags=["courses"])
async def add_course(body: CourseIn, caller: Caller, request: Request, service: ServiceDep) -> CourseOut:
    require(caller, Role.OPERATOR)
    with answering():
        course = await service.act(
            by(caller, request, f"course:{body.code}"),
            courses.add_course,
            body.code,
            body.title_vi,
            body.required_days,
        )
    return CourseOut.of(course)


@router.get("/courses", response_model=list[CourseOut], tags=["courses"])
async def list_courses(caller: Caller, service: ServiceDep) -> list[CourseOut]:
    return [CourseOut.of(course) for course in await service.query(courses.list_courses)]
